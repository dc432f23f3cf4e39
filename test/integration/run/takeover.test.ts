/**
 * A foreground `isola run` that needs nothing of Node after the container is
 * gone hands its pid to the shim (launch/exec-shim.ts): the container's
 * monitor is isola itself, and what isola would have removed afterwards the
 * shim removes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRoot } from '../../helpers/requirements.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaBin, runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { MAP } from './run-in-container.ts';

const shimPath = join(import.meta.dirname, '..', '..', '..', 'build', 'isola-shim');

/** The container's pid 1 has no default action for SIGTERM: it traps it. */
const LOOP = 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done';

async function runDirs(runroot: string): Promise<string[]> {
  return readdir(join(runroot, 'containers')).catch(() => []);
}

test('isola becomes the container\'s monitor: the shim runs in isola\'s pid, and nothing of the run is left after it', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const child = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', 'sh', '-c', LOOP],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    assert.equal(await readlink(`/proc/${child.pid}/exe`), shimPath);
    // Its one child is the container's init; the run directory holds no plan file any more.
    const children = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(' ');
    assert.equal(children.length, 1);
    assert.match(await readFile(`/proc/${children[0]}/cmdline`, 'utf8'), /^sh\0-c\0/);
    const [runDir] = await runDirs(dirs.runroot);
    assert.deepEqual((await readdir(join(dirs.runroot, 'containers', runDir!))).sort(), ['hostname', 'hosts', 'resolv.conf']);
    child.kill('SIGTERM');
    assert.equal(await exited, 3);
    assert.deepEqual(await runDirs(dirs.runroot), []);
  });
});

test('a start that fails is explained by isola as before, and leaves no run directory', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const r = await runIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', '/no/such/command']);
    assert.equal(r.code, 127);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^isola: exec failed for "\/no\/such\/command": ENOENT \(the command was not found/);
    assert.deepEqual(await runDirs(dirs.runroot), []);
  });
});

test('a run whose container needs a cgroup (--pids-limit) still spawns its monitor, and ends the same way', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const child = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--pids-limit', '20', '--',
      'sh', '-c', LOOP], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    assert.notEqual(await readlink(`/proc/${child.pid}/exe`), shimPath);
    child.kill('SIGTERM');
    assert.equal(await exited, 3);
    assert.deepEqual(await runDirs(dirs.runroot), []);
  });
});
