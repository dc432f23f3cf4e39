import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRemapIdMaps, remapIdMaps } from './remap.ts';

const files = { uidFile: '/etc/subuid', gidFile: '/etc/subgid' };

test('remap maps container ids from 0 onto the user\'s ranges in file order', () => {
  const maps = remapIdMaps({ ...files, user: 'dockremap', subuids: [{ start: 300000, size: 10 }, { start: 100000, size: 5 }], subgids: [{ start: 400000, size: 65536 }] });
  assert.deepEqual(maps.uidMap, [{ containerId: 0, hostId: 300000, size: 10 }, { containerId: 10, hostId: 100000, size: 5 }]);
  assert.deepEqual(maps.gidMap, [{ containerId: 0, hostId: 400000, size: 65536 }]);
});

test('remap gives ids a repeated or overlapping line already gave only once', () => {
  const maps = remapIdMaps({ ...files, user: 'u', subuids: [{ start: 100, size: 10 }, { start: 105, size: 10 }, { start: 100, size: 10 }], subgids: [{ start: 1, size: 1 }] });
  assert.deepEqual(maps.uidMap, [{ containerId: 0, hostId: 100, size: 10 }, { containerId: 10, hostId: 110, size: 5 }]);
});

test('remap of a user without an entry in either file is an error naming that file', () => {
  const ranges = [{ start: 100, size: 10 }];
  assert.throws(() => remapIdMaps({ ...files, user: 'nobody', subuids: [], subgids: ranges }),
    (err: { code?: string; file?: string }) => err.code === 'ISOLA_USERNS_REMAP_NO_ENTRY' && err.file === '/etc/subuid');
  assert.throws(() => remapIdMaps({ ...files, user: 'nobody', subuids: ranges, subgids: [] }),
    (err: { code?: string; file?: string }) => err.code === 'ISOLA_USERNS_REMAP_NO_ENTRY' && err.file === '/etc/subgid');
});

test('readRemapIdMaps reads the user\'s lines from both files and rejects a malformed one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-remap-'));
  try {
    const uidFile = join(dir, 'subuid');
    const gidFile = join(dir, 'subgid');
    await writeFile(uidFile, 'alice:100000:65536\ndockremap:200000:65536\n');
    await writeFile(gidFile, 'dockremap:300000:65536\n');
    const maps = await readRemapIdMaps('dockremap', { uidFile, gidFile });
    assert.deepEqual(maps.uidMap, [{ containerId: 0, hostId: 200000, size: 65536 }]);
    assert.deepEqual(maps.gidMap, [{ containerId: 0, hostId: 300000, size: 65536 }]);
    await writeFile(gidFile, 'dockremap:300000\n');
    await assert.rejects(readRemapIdMaps('dockremap', { uidFile, gidFile }),
      (err: { code?: string; line?: number }) => err.code === 'ISOLA_USERNS_SUBID_MALFORMED' && err.line === 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
