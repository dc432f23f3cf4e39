/**
 * Issue 5, scenario 3: kill -9 of a container's monitor, and kill -9 of isola
 * in the middle of `run -d`. The next ps tells the truth (a container whose
 * monitor died has exited, with an unknown status, and no process of it is
 * left) and rm cleans up everything: rows, ids, run directory, cgroup.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ensureHostRootfs } from '../fixtures/host-rootfs.ts';
import { assertNothingLeft, inspect, isolaIn, psJson } from '../helpers/detached.ts';
import { requireRoot } from '../helpers/requirements.ts';
import { isolaBin } from '../helpers/run-cli.ts';
import { withTempDirs } from '../helpers/temp-dirs.ts';
import { newEnvMarker, pidsWithEnvEntry } from './host-processes.ts';

test('a container whose monitor was killed is reported exited with an unknown status, and rm leaves nothing', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const marker = newEnvMarker();
    const id = (await isola.ok('run', '-d', '-e', marker, '--rootfs', rootfs, '--', 'sleep', '1000')).trim();
    const before = await inspect(isola, id);
    assert.equal(before.state, 'running');
    process.kill(before.monitorPid!, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(before.monitorPid!, 0);
      } catch {
        break;
      }
      await sleep(20);
    }

    const [entry] = await psJson(isola);
    assert.deepEqual([entry?.Id, entry?.State, entry?.ExitCode], [id, 'exited', null]);
    assert.match(await isola.ok('ps', '-a'), /Exited \(unknown\)/);
    assert.deepEqual(await pidsWithEnvEntry(marker), [], 'the orphaned container was killed');
    assert.equal(await isola.ok('wait', id), '-1\n');

    await isola.ok('rm', id);
    await assertNothingLeft(isola, dirs, [id]);
  });
});

test('isola killed at any point of run -d leaves a state that ps reports truly and rm removes', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const isola = isolaIn(dirs);
    const marker = newEnvMarker();
    const seen = new Map<string, number>();
    // Kill points spread over the whole command, from before the row exists to after it returns.
    for (const delayMs of [0, 50, 80, 100, 120, 140, 160, 180, 200, 250, 300, 400, 600, 1000]) {
      const child = spawn(isolaBin, [...dirs.args, 'run', '-d', '-e', marker, '--rootfs', rootfs, '--', 'sleep', '1000'],
        { stdio: 'ignore' });
      // Listened for at once: a late kill point finds it already exited.
      const closed = once(child, 'close');
      await sleep(delayMs);
      child.kill('SIGKILL');
      await closed;
      for (const entry of await psJson(isola)) {
        seen.set(entry.State, (seen.get(entry.State) ?? 0) + 1);
        const hasProcess = entry.Pid > 0 && await pidAlive(entry.Pid);
        assert.equal(entry.State === 'running', hasProcess, `ps says ${entry.State} for ${entry.Id}; its process is ${hasProcess ? 'alive' : 'gone'}`);
      }
      const running = (await psJson(isola)).filter((e) => e.State === 'running').length;
      assert.equal((await pidsWithEnvEntry(marker)).length, running, 'every container process belongs to a running container');
    }
    // A container whose creation was cut short can still be started.
    for (const entry of (await psJson(isola)).filter((e) => e.State === 'created')) await isola.ok('start', entry.Id);
    assert.ok((await psJson(isola)).every((e) => e.State === 'running'));
    const ids = (await psJson(isola)).map((e) => e.Id);
    t.diagnostic(`${ids.length} containers recorded; states seen after each kill: ${JSON.stringify(Object.fromEntries(seen))}`);
    if (ids.length > 0) await isola.ok('rm', '-f', ...ids);
    assert.deepEqual(await pidsWithEnvEntry(marker), []);
    await assertNothingLeft(isola, dirs, ids);
  });
});

async function pidAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
