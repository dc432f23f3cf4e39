/**
 * An image of 10 files and one of 100,000 both start with a fresh ID range
 * for every run (`--userns=auto`): the ID shift is an ID-mapped mount, so no
 * file is copied or chowned, and files owned by 0 and 1000 in the image show
 * as 0 and 1000 inside. (How long it takes is for bench/rootfs-start.ts.)
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { ensureManyFilesLayer } from '../fixtures/many-files-layer.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { runIsola } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';

describe('image start cost is flat in image size', () => {
  for (const count of [10, 100_000]) {
    test(`an image with ${count} files runs with a fresh range each time, nothing copied`, async (t) => {
      if (!requireRoot(t)) return;
      const [rootfs, layer] = [await ensureHostRootfs(), ensureManyFilesLayer(count)];
      await withTempDirs(async (dirs) => {
        const maps: string[] = [];
        for (let i = 0; i < 2; i++) {
          const result = await runIsola([...dirs.args, 'run', '--rm', '--layer', rootfs, '--layer', layer, '--',
            'sh', '-c', `stat -c %u /many/0/f0 /many/owned-by-1000; cat /many/0/f0; cat /proc/self/uid_map`]);
          assert.equal(result.code, 0, result.stderr);
          const [owners, contents, map] = [result.stdout.split('\n').slice(0, 2), result.stdout.split('\n')[2], result.stdout.split('\n')[3]];
          assert.deepEqual(owners, ['0', '1000']);
          assert.equal(contents, '0');
          maps.push(map ?? '');
        }
        assert.match(maps[0]!, /^\s*0\s+\d+\s+\d+$/);
        assert.deepEqual(await readdir(join(dirs.root, 'storage', 'shifted')).catch(() => []), []);
      });
    });
  }
});
