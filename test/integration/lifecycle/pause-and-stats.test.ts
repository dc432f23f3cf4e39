/**
 * pause/unpause through the cgroup freezer, and stats from the container's
 * cgroup; rm -f of a paused container still leaves nothing.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

function stateOf(pid: number): Promise<string> {
  return import('node:fs/promises').then(({ readFile }) => readFile(`/proc/${pid}/stat`, 'latin1')).then((s) => s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3));
}

test('a paused container\'s processes are frozen until unpause, stats counts its pids, and rm -f removes it paused', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('run', '-d', '--name', 'p', '--rootfs', rootfs, '--', 'sh', '-c', 'sleep 1000 & wait')).trim();
    for (let i = 0; i < 100 && !(await isola.ok('top', 'p', 'args')).includes('sleep 1000'); i++) await sleep(50);
    const stats = JSON.parse(await isola.ok('stats', '--no-stream', '--format', 'json', 'p')) as { pids: number; memoryBytes: number }[];
    assert.equal(stats[0]!.pids, 2, 'sh and sleep');
    assert.ok(stats[0]!.memoryBytes > 0);

    await isola.ok('pause', 'p');
    const paused = await inspect(isola, 'p');
    assert.equal(paused.state, 'paused');
    assert.equal(await stateOf(paused.pid!), 'D', 'frozen tasks sleep uninterruptibly in the freezer');
    assert.match(await isola.ok('ps'), /Paused/);
    assert.equal((await isola('pause', 'p')).code, 125);

    await isola.ok('unpause', 'p');
    assert.equal((await inspect(isola, 'p')).state, 'running');
    assert.notEqual(await stateOf(paused.pid!), 'D');

    await isola.ok('pause', 'p');
    await isola.ok('rm', '-f', 'p');
    await assertNothingLeft(isola, dirs, [id]);
  });
});

test('stats reads memory from the memory cgroup: a 24 MiB tmpfs file no process maps still counts', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('run', '-d', '--name', 'm', '--memory', '256m', '--rootfs', rootfs, '--',
      'sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; echo filled; exec sleep 1000')).trim();
    for (let i = 0; i < 100 && !(await isola.ok('logs', 'm')).includes('filled'); i++) await sleep(50);
    const [stats] = JSON.parse(await isola.ok('stats', '--no-stream', '--format', 'json', 'm')) as { pids: number; memoryBytes: number }[];
    // The sleeping process's own resident memory is well under 24 MiB: only the cgroup's charge includes the file.
    assert.ok(stats!.memoryBytes >= 24 * 1024 * 1024, `memoryBytes ${stats!.memoryBytes}`);
    assert.equal(stats!.pids, 1);
    await isola.ok('rm', '-f', 'm');
    await assertNothingLeft(isola, dirs, [id]);
  });
});
