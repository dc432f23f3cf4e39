/**
 * Issue 5, scenario 1: a detached container through its whole life. run -d,
 * ps, exec id, logs, top with both views, stop -t 2 of a process that ignores
 * SIGTERM (killed after the timeout), rm; its host range is released.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn, psJson } from '../helpers/detached.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';
import { readHostIds } from './host-processes.ts';

test('a detached container runs, answers ps, exec, logs and top, stops after its timeout and leaves nothing once removed', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const id = (await isola.ok('run', '-d', '--name', 'web', '--rootfs', rootfs, '--',
      'sh', '-c', 'trap "" TERM; echo started; echo to-stderr >&2; while :; do sleep 0.1; done')).trim();
    assert.match(id, /^[0-9a-f]{64}$/);

    const ps = await psJson(isola);
    assert.equal(ps.length, 1);
    assert.deepEqual([ps[0]!.Id, ps[0]!.Names, ps[0]!.State], [id, ['web'], 'running']);
    assert.match(await isola.ok('ps'), /web/);

    assert.match(await isola.ok('exec', 'web', 'id'), /^uid=0\(root\) gid=0\(root\)/);

    const info = await inspect(isola, 'web');
    const hostUid = info.hostUids[0]!.start;
    assert.ok(hostUid > 0 && info.hostUids[0]!.size === 65536);
    assert.equal((await readHostIds(info.pid!)).uid, hostUid, 'the host sees the mapped uid');

    // The log is written by the monitor: wait for both lines.
    let logs = await isola('logs', 'web');
    for (let i = 0; i < 50 && !logs.stdout.includes('started'); i++) logs = await isola('logs', 'web');
    assert.equal(logs.stdout, 'started\n');
    assert.equal(logs.stderr, 'to-stderr\n');
    assert.match((await isola.ok('logs', '-t', 'web')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z started\n$/);

    const top = (await isola.ok('top', 'web')).trim().split('\n').map((line) => line.split(/\s{3,}/));
    assert.deepEqual(top[0]!.slice(0, 4), ['USER', 'HUSER', 'PID', 'HPID']);
    const init = top.find((row) => row[2] === '1');
    assert.ok(init !== undefined, `no pid 1 in ${JSON.stringify(top)}`);
    assert.deepEqual(init.slice(0, 4), ['root', String(hostUid), '1', String(info.pid)]);
    const custom = (await isola.ok('top', 'web', 'pid', 'hpid', 'user', 'huser')).split('\n')[0]!.split(/\s+/);
    assert.deepEqual(custom, ['PID', 'HPID', 'USER', 'HUSER']);

    const started = Date.now();
    await isola.ok('stop', '-t', '2', 'web');
    const elapsedMs = Date.now() - started;
    assert.ok(elapsedMs >= 1900, `stop returned after ${elapsedMs} ms, before its 2 s timeout`);
    const stopped = await inspect(isola, 'web');
    assert.deepEqual([stopped.state, stopped.exitCode], ['exited', 137], 'SIGKILLed after ignoring SIGTERM');
    assert.match(await isola.ok('ps', '-a'), /Exited \(137\)/);
    assert.equal(await isola.ok('wait', 'web'), '137\n');

    assert.equal(JSON.parse(await isola.ok('userns', 'ls', '--format', 'json')).length, 1, 'a stopped container keeps its range');
    await isola.ok('rm', 'web');
    await assertNothingLeft(isola, dirs, [id]);
  });
});
