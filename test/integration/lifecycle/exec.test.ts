/**
 * exec joins a running container: same ID map and pid namespace, the
 * container's environment with -e on top, -u and -w, and its exit status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

test('exec runs in the container\'s namespaces with its ID map, as -u in -w with -e, and returns its status', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'x', '-e', 'FROM_RUN=1', '--rootfs', rootfs, '--', 'sleep', '1000');
    const inside = await isola.ok('exec', 'x', 'sh', '-c', 'cat /proc/self/uid_map; cat /proc/1/cmdline | tr "\\0" " "; echo; echo $FROM_RUN');
    const [uidMap, init, fromRun] = inside.trim().split('\n');
    const [, hostUid] = uidMap!.trim().split(/\s+/);
    assert.equal(Number(hostUid), JSON.parse(await isola.ok('inspect', 'x'))[0].hostUids[0].start, 'the container\'s own map');
    assert.equal(init, 'sleep 1000 ', 'its pid 1 is the container\'s');
    assert.equal(fromRun, '1', 'the container\'s environment');
    assert.equal(await isola.ok('exec', '-u', '1000', '-e', 'EXTRA=yes', '-w', '/tmp', 'x', 'sh', '-c', 'id -u; echo $EXTRA; pwd'), '1000\nyes\n/tmp\n');
    assert.equal((await isola('exec', 'x', 'sh', '-c', 'exit 5')).code, 5);
    assert.equal((await isola('exec', 'x', '/no/such')).code, 127);
    assert.equal((await isola('exec', '--privileged', 'x', 'id')).code, 125);
    await isola.ok('stop', '-t', '0', 'x');
    assert.equal((await isola('exec', 'x', 'id')).code, 125, 'a stopped container takes no exec');
    await isola.ok('rm', 'x');
    await assertNothingLeft(isola, dirs, []);
  });
});
