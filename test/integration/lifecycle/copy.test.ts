/**
 * cp between host and container: ownership mapped both ways, and a symlink
 * in the container cannot redirect the copy to the host's files.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('cp copies into a running container as its root and out with the ids it had inside', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'c', '--tmpfs', '/tmp', '--rootfs', rootfs, '--', 'sh', '-c',
      'echo inside > /tmp/made; chown 1000:1000 /tmp/made; ln -s /tmp /tmp/escape; sleep 1000');
    const hostUid = (await inspect(isola, 'c')).hostUids[0]!.start;
    const file = join(dirs.base, 'in.txt');
    await writeFile(file, 'from the host\n');
    await isola.ok('cp', file, 'c:/tmp/');
    assert.equal(await isola.ok('exec', 'c', 'sh', '-c', 'cat /tmp/in.txt; stat -c %u:%g /tmp/in.txt'), 'from the host\n0:0\n');

    const out = join(dirs.base, 'out');
    await mkdir(out);
    for (let i = 0; i < 100 && (await isola('exec', 'c', 'test', '-L', '/tmp/escape')).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    await isola.ok('cp', 'c:/tmp/made', out);
    assert.equal(await readFile(join(out, 'made'), 'utf8'), 'inside\n');
    const made = await stat(join(out, 'made'));
    assert.deepEqual([made.uid, made.gid], [1000, 1000], `inside 1000 (host ${hostUid + 1000}) comes out as 1000`);

    // /tmp/escape -> /tmp resolves inside the container, never to the host's /tmp.
    const planted = `planted-${process.pid}-${Date.now()}`;
    await isola.ok('cp', file, `c:/tmp/escape/${planted}`);
    await assert.rejects(stat(`/tmp/${planted}`));
    assert.equal(await isola.ok('exec', 'c', 'cat', `/tmp/${planted}`), 'from the host\n');
    await isola.ok('rm', '-f', 'c');
    await assertNothingLeft(isola, dirs, []);
  });
});
