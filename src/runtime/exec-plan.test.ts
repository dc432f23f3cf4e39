import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildExecPlan } from './exec-plan.ts';
import type { OciConfig } from './oci-config.ts';

const config: OciConfig = {
  ociVersion: '1.3.0',
  linux: { namespaces: [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }, { type: 'network', path: '/run/netns/x' }, { type: 'cgroup' }] },
};
const process = { args: ['sh'], cwd: '/work', env: ['A=1'], user: { uid: 5, gid: 6, additionalGids: [7] }, terminal: true, consoleSize: { height: 24, width: 80 } };

test('exec joins every namespace of the container through the init\'s /proc entries and creates none', async () => {
  const plan = await buildExecPlan({ config, process, pid: 4242, cgroupProcs: ['/sys/fs/cgroup/x/cgroup.procs'] });
  assert.deepEqual(plan.namespaces, []);
  assert.deepEqual(plan.joinNamespaces, [
    { kind: 'user', path: '/proc/4242/ns/user' }, { kind: 'mount', path: '/proc/4242/ns/mnt' },
    { kind: 'pid', path: '/proc/4242/ns/pid' }, { kind: 'net', path: '/proc/4242/ns/net' },
    { kind: 'cgroup', path: '/proc/4242/ns/cgroup' },
  ]);
  assert.deepEqual(plan.cgroupProcs, ['/sys/fs/cgroup/x/cgroup.procs']);
  assert.equal(plan.rootfs, undefined, 'no rootfs setup: the mount namespace is joined as it is');
  assert.equal(plan.idMaps, undefined);
  assert.deepEqual([plan.user, plan.cwd, plan.args, plan.env], [{ uid: 5, gid: 6, umask: 0o22 }, '/work', ['sh'], ['A=1']]);
  assert.deepEqual(plan.terminal, { rows: 24, cols: 80, isHostRaw: false });
});

test('exec of a process without args and of an unknown namespace type are errors', async () => {
  await assert.rejects(buildExecPlan({ config, process: { ...process, args: [] }, pid: 1, cgroupProcs: [] }), { code: 'ISOLA_RUNTIME_INVALID_CONFIG' });
  const odd = { ...config, linux: { namespaces: [{ type: 'bogus' as 'pid' }] } };
  await assert.rejects(buildExecPlan({ config: odd, process, pid: 1, cgroupProcs: [] }), { code: 'ISOLA_RUNTIME_UNSUPPORTED' });
});
