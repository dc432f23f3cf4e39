/**
 * pause, resume, update, ps and kill --all through the container's cgroup,
 * on whatever layout this host has (v1, hybrid or v2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { requireRoot } from '../../helpers/requirements.ts';
import type { OciConfig } from '../../../src/runtime/index.ts';
import { makeBundle } from './bundle.ts';
import { isAlive, waitUntil } from './processes.ts';
import { runRuntime, withRuntimeRoot } from './runtime-cli.ts';

async function cgroupDirsOf(pid: number): Promise<Map<string, string>> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  return new Map(lines.map((line) => {
    const [, controllers = '', path = ''] = line.split(':');
    return [controllers, path];
  }));
}

test('pause freezes and resume thaws; update changes pids.max; ps and kill --all see every process', async (t) => {
  if (!requireRoot(t)) return;
  const cgroupsPath = `isola-test/ops-${process.pid}`;
  const bundle = await makeBundle({
    args: ['sh', '-c', 'sleep 600 & sleep 600'],
    edit: (c) => ({ ...c, linux: { ...c.linux, cgroupsPath, resources: { pids: { limit: 20 } } } }),
  });
  try {
    await withRuntimeRoot(async (root) => {
      const rt = (...args: string[]) => runRuntime(['--root', root, ...args]);
      assert.equal((await rt('run', '-d', '--bundle', bundle.dir, 'ops')).code, 0);
      const { pid } = JSON.parse((await rt('state', 'ops')).stdout) as { pid: number };
      await waitUntil(async () => (JSON.parse((await rt('ps', '--format', 'json', 'ops')).stdout) as number[]).length === 3);

      assert.equal((await rt('pause', 'ops')).code, 0);
      assert.equal((JSON.parse((await rt('state', 'ops')).stdout) as { status: string }).status, 'paused');
      assert.equal((await rt('resume', 'ops')).code, 0);
      assert.equal((JSON.parse((await rt('state', 'ops')).stdout) as { status: string }).status, 'running');
      assert.equal((await rt('resume', 'ops')).code, 1, 'a running container cannot be resumed');

      assert.equal((await rt('update', '--pids-limit', '7', 'ops')).code, 0);
      const dirs = await cgroupDirsOf(pid);
      const v1 = dirs.get('pids');
      const pidsMax = v1 !== undefined && v1 !== '/' ? `/sys/fs/cgroup/pids${v1}/pids.max` : `/sys/fs/cgroup${dirs.get('')}/pids.max`;
      assert.equal((await readFile(pidsMax, 'utf8')).trim(), '7');

      const pids = JSON.parse((await rt('ps', '--format', 'json', 'ops')).stdout) as number[];
      assert.equal((await rt('kill', '--all', 'ops', 'KILL')).code, 0);
      for (const p of pids) await waitUntil(async () => !(await isAlive(p)));
      assert.equal((await rt('delete', 'ops')).code, 0);
    });
  } finally {
    await bundle.remove();
  }
});

test('without a user namespace device rules go to a devices cgroup, and a bad rule leaves nothing behind', async (t) => {
  if (!requireRoot(t)) return;
  const layout = await readFile('/proc/self/cgroup', 'utf8');
  const hasDevicesCgroup = layout.split('\n').some((line) => line.split(':')[1]?.split(',').includes('devices'));
  const rules = (type: string) => (c: OciConfig): OciConfig => ({
    ...c, linux: { ...c.linux, cgroupsPath: `isola-test/dev-${process.pid}-${type}`, resources: { devices: [{ allow: false, type, access: 'rwm' }] } },
  });
  const good = await makeBundle({ args: ['sh', '-c', 'echo x > /dev/null && head -c1 /dev/zero > /dev/null'], hasUserns: false, edit: rules('a') });
  const bad = await makeBundle({ args: ['true'], hasUserns: false, edit: rules('x') });
  try {
    await withRuntimeRoot(async (root) => {
      const run = await runRuntime(['--root', root, 'run', '--bundle', good.dir, 'dev1']);
      if (!hasDevicesCgroup) {
        // cgroup v2 needs a BPF program for device rules: refused, not ignored.
        assert.equal(run.code, 1);
        assert.match(run.stderr, /devices/);
        return;
      }
      assert.equal(run.code, 0, run.stderr);
      const refused = await runRuntime(['--root', root, 'create', '--bundle', bad.dir, 'dev2']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /devices/);
      await assert.rejects(readFile(`/sys/fs/cgroup/devices/isola-test/dev-${process.pid}-x/devices.list`, 'utf8'));
      assert.equal((await runRuntime(['--root', root, 'list', '-q'])).stdout, '');
    });
  } finally {
    await Promise.all([good.remove(), bad.remove()]);
  }
});
