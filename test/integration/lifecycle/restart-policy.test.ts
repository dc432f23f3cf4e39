/**
 * --restart, applied by the cleanup command the monitor runs at exit:
 * on-failure:N restarts a failing container N times, always restarts until
 * `stop`, and no (the default) leaves it exited.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { assertNothingLeft, isolaIn, type Isola } from '../../helpers/detached.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

interface Restarted { state: string; exitCode: number | null; restartCount: number }

async function waitFor(isola: Isola, name: string, isDone: (c: Restarted) => boolean): Promise<Restarted> {
  for (let i = 0; ; i++) {
    const [c] = JSON.parse(await isola.ok('inspect', name)) as Restarted[];
    if (isDone(c!) || i > 300) return c!;
    await sleep(100);
  }
}

test('on-failure:2 restarts a failing container twice, then leaves it exited', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'f', '--restart', 'on-failure:2', '--rootfs', rootfs, '--', 'sh', '-c', 'echo run; exit 3');
    const done = await waitFor(isola, 'f', (c) => c.restartCount === 2 && c.state === 'exited');
    assert.deepEqual([done.state, done.exitCode, done.restartCount], ['exited', 3, 2]);
    assert.equal(await isola.ok('wait', 'f'), '3\n');
    assert.equal(await isola.ok('logs', 'f'), 'run\nrun\nrun\n');
    await isola.ok('rm', 'f');
    await assertNothingLeft(isola, dirs, []);
  });
});

test('always restarts a container that exits until it is stopped', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    await isola.ok('run', '-d', '--name', 'a', '--restart', 'always', '--rootfs', rootfs, '--', 'sh', '-c', 'sleep 0.2; exit 0');
    const restarted = await waitFor(isola, 'a', (c) => c.restartCount >= 1 && c.state === 'running');
    assert.ok(restarted.restartCount >= 1);
    await isola.ok('stop', '-t', '1', 'a');
    const stopped = await waitFor(isola, 'a', (c) => c.state === 'exited');
    await sleep(500);
    const [after] = JSON.parse(await isola.ok('inspect', 'a')) as Restarted[];
    assert.deepEqual([after!.state, after!.restartCount], ['exited', stopped.restartCount], 'no restart after stop');
    await isola.ok('rm', 'a');
    await assertNothingLeft(isola, dirs, []);
  });
});
