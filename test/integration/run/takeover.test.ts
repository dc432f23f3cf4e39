/**
 * A foreground `isola run` that needs nothing of Node after the container is
 * gone hands its pid to the shim (launch/exec-shim.ts): the container's
 * monitor is isola itself, and what isola would have removed afterwards the
 * shim removes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRoot } from '../../helpers/requirements.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaBin, runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { isAlive, waitUntil } from '../runtime/processes.ts';
import { MAP } from './run-in-container.ts';

const shimPath = join(import.meta.dirname, '..', '..', '..', 'build', 'isola-shim');

/** The container's pid 1 has no default action for SIGTERM: it traps it. */
const LOOP = 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done';

/** Starts `isola ARGS` and resolves once the container printed its first line. */
async function startIsola(args: readonly string[]): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const child = spawn(isolaBin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { child, exited };
}

async function runDirs(runroot: string): Promise<string[]> {
  return readdir(join(runroot, 'containers')).catch(() => []);
}

test('isola becomes the container\'s monitor: the shim runs in isola\'s pid, and nothing of the run is left after it', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const { child, exited } = await startIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', 'sh', '-c', LOOP]);
    assert.equal(await readlink(`/proc/${child.pid}/exe`), shimPath);
    // Its one child is the container's init; the run directory holds no plan file any more.
    const children = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(' ');
    assert.equal(children.length, 1);
    assert.match(await readFile(`/proc/${children[0]}/cmdline`, 'utf8'), /^sh\0-c\0/);
    const [runDir] = await runDirs(dirs.runroot);
    assert.deepEqual((await readdir(join(dirs.runroot, 'containers', runDir!))).sort(), ['hostname', 'hosts', 'resolv.conf']);
    child.kill('SIGTERM');
    assert.equal((await exited).code, 3);
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
    const { child, exited } = await startIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--pids-limit', '20', '--',
      'sh', '-c', LOOP]);
    assert.notEqual(await readlink(`/proc/${child.pid}/exe`), shimPath);
    child.kill('SIGTERM');
    assert.equal((await exited).code, 3);
    assert.deepEqual(await runDirs(dirs.runroot), []);
  });
});

test('an image run takes over once a start proved ID-mapped layers, and its shim removes the upper directory without following the container\'s symlinks', async (t) => {
  if (!requireRoot(t)) return;
  await withTempDirs(async (dirs) => {
    const layer = join(dirs.base, 'layer');
    await mkdir(join(layer, 'bin'), { recursive: true });
    await writeFile(join(layer, 'bin', 'busybox'), await readFile('/bin/busybox'), { mode: 0o755 });
    const tarball = join(dirs.base, 'image.tar');
    assert.equal((await runCommand(['tar', '--numeric-owner', '-cf', tarball, '-C', layer, '.'])).code, 0);
    assert.equal((await runIsola([...dirs.args, 'import', tarball, 'localhost/takeover'])).code, 0);
    // A host directory the container's upper directory will point at.
    const victim = join(dirs.base, 'victim');
    await mkdir(victim);
    await writeFile(join(victim, 'keep'), 'x');
    const script = `/bin/busybox ln -s ${victim} /link; /bin/busybox mkdir -p /d/e; /bin/busybox ln -s ${victim} /d/e/link; echo ok`;
    for (const attempt of ['first', 'second']) {
      const r = await runIsola([...dirs.args, 'run', '--rm', 'localhost/takeover', '/bin/busybox', 'sh', '-c', script]);
      assert.equal(r.code, 0, `${attempt}: ${r.stderr}`);
      assert.equal(r.stdout, 'ok\n');
      assert.deepEqual(await readdir(join(dirs.root, 'storage', 'containers')), [], `${attempt}: no upper directory is left`);
      assert.deepEqual(await runDirs(dirs.runroot), []);
    }
    assert.equal(await readFile(join(victim, 'keep'), 'utf8'), 'x');
    await access(join(dirs.root, 'storage', 'idmap-works'));
    // Now proven: the next run's isola is its monitor.
    const { child, exited } = await startIsola([...dirs.args, 'run', '--rm', 'localhost/takeover', '/bin/busybox', 'sh', '-c', 'echo ready; /bin/busybox sleep 0.5']);
    assert.equal(await readlink(`/proc/${child.pid}/exe`), shimPath);
    assert.equal((await exited).code, 0);
  });
});

test('a container does not outlive its monitor: SIGKILL to isola ends it too', async (t) => {
  if (!requireRoot(t)) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const { child, exited } = await startIsola([...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, '--', 'sh', '-c', LOOP]);
    const [init] = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(' ');
    // Should the container survive, it would hold this test's stdout open: end it either way.
    t.after(() => { try { process.kill(Number(init), 'SIGKILL'); } catch { /* gone, as it should be */ } });
    child.kill('SIGKILL');
    assert.equal((await exited).signal, 'SIGKILL');
    await waitUntil(async () => !await isAlive(Number(init)), 5000);
  });
});
