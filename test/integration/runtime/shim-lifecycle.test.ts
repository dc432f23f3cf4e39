/**
 * The shim's primitives for the OCI runtime, driven through launch/ without
 * the runtime's state: the create/start split on an exec fifo, detaching,
 * the pid file, and exec joining a running container's namespaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnShim } from '../../../src/launch/index.ts';
import { buildLaunchPlan, locateShim, readHostContext } from '../../../src/runtime/index.ts';
import { buildExecPlan } from '../../../src/runtime/exec-plan.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { makeBundle } from './bundle.ts';
import { waitUntil, isAlive } from './processes.ts';

async function planFor(bundle: { dir: string; config: Parameters<typeof buildLaunchPlan>[0] }) {
  const host = await readHostContext(process.env['PATH'] ?? '');
  return buildLaunchPlan(bundle.config, { host, bundle: bundle.dir, isHostTerminalRaw: false });
}

test('a created container blocks before its process until the exec fifo is opened', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sleep', '30'] });
  try {
    const plan = await planFor(bundle);
    const fifo = join(bundle.dir, 'exec.fifo');
    const pidFile = join(bundle.dir, 'pid');
    const shimPath = await locateShim();
    const created = await spawnShim({
      shimPath, isInteractive: false, plan: { ...plan, execFifo: fifo, detach: 'exit', pidFile },
    });
    assert.equal(Number(await readFile(pidFile, 'utf8')), created.pid);
    assert.equal((await created.exited).code, 0, 'the shim exits once the container is created');
    // Still the shim's image: the user process has not been executed.
    assert.equal(await readlink(`/proc/${created.pid}/exe`), shimPath);
    const reader = await open(fifo, 'r');
    assert.equal((await reader.read(Buffer.alloc(1), 0, 1)).bytesRead, 1);
    await reader.close();
    await waitUntil(async () => (await readFile(`/proc/${created.pid}/cmdline`, 'utf8')).startsWith('sleep\0'));
    process.kill(created.pid, 'SIGKILL');
    await waitUntil(async () => !(await isAlive(created.pid)));
  } finally {
    await bundle.remove();
  }
});

test('exec joins the namespaces of a running container and runs as its root', async (t) => {
  if (!requireRoot(t)) return;
  const bundle = await makeBundle({ args: ['sleep', '30'] });
  try {
    const plan = await planFor(bundle);
    const shimPath = await locateShim();
    const container = await spawnShim({ shimPath, isInteractive: false, plan });
    try {
      const links = await Promise.all(['user', 'mnt', 'pid', 'uts', 'ipc', 'net'].map(async (ns) =>
        `[ "$(readlink /proc/self/ns/${ns})" = "${await readlink(`/proc/${container.pid}/ns/${ns}`)}" ]`));
      const script = `${links.join(' && ')} && [ "$(id -u)" = 0 ] && [ "$(hostname)" = box ] && [ -e /proc/1/cmdline ] && grep -q sleep /proc/1/cmdline`;
      const execPlan = await buildExecPlan({
        config: bundle.config, pid: container.pid, cgroupProcs: [],
        process: { ...bundle.config.process!, args: ['sh', '-c', script] },
      });
      const exec = await spawnShim({ shimPath, isInteractive: false, plan: execPlan });
      assert.deepEqual(await exec.exited, { code: 0, signal: undefined });
      const failing = await spawnShim({ shimPath, isInteractive: false, plan: { ...execPlan, args: ['sh', '-c', 'exit 3'] } });
      assert.equal((await failing.exited).code, 3, 'the check above can fail');
    } finally {
      process.kill(container.pid, 'SIGKILL');
      await container.exited;
    }
  } finally {
    await bundle.remove();
  }
});
