import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CgroupLayout } from '../cgroups/index.ts';
import type { PlanMount } from '../launch/index.ts';
import { expandCgroupMount, isCgroupMount } from './cgroup-mount.ts';
import { deviceRuleLine, DEFAULT_DEVICE_RULES } from './device-rules.ts';

const cgroupMount: PlanMount = {
  source: 'cgroup', destination: '/sys/fs/cgroup', fstype: 'cgroup', flags: 0, data: '', isBind: false, isRecursive: false,
  createTarget: 'dir', isPrecreated: true, attrSet: 0, propagation: 0,
};

const hybrid: CgroupLayout = {
  kind: 'hybrid', v1Mounts: new Map([['pids', '/sys/fs/cgroup/pids'], ['freezer', '/sys/fs/cgroup/freezer']]),
  unifiedMount: '/sys/fs/cgroup/unified', unifiedControllers: [], selfPaths: new Map(),
};

test('on a hybrid host a cgroup mount is a tmpfs with the container\'s own cgroups bound read-only, one per hierarchy', () => {
  assert.ok(isCgroupMount(cgroupMount));
  const mounts = expandCgroupMount(cgroupMount, ['/sys/fs/cgroup/pids/isola/c1', '/sys/fs/cgroup/freezer/isola/c1'], hybrid);
  assert.deepEqual(mounts.map((m) => [m.fstype, m.source, m.destination]), [
    ['tmpfs', 'tmpfs', '/sys/fs/cgroup'],
    ['', '/sys/fs/cgroup/pids/isola/c1', '/sys/fs/cgroup/pids'],
    ['', '/sys/fs/cgroup/freezer/isola/c1', '/sys/fs/cgroup/freezer'],
  ]);
  assert.ok(mounts.slice(1).every((m) => m.isBind && (m.attrSet & 1) === 1 && !m.isPrecreated));
});

test('on a v2 host a cgroup mount is the container\'s cgroup bound read-only, and nothing without one', () => {
  const v2: CgroupLayout = { ...hybrid, kind: 'v2', v1Mounts: new Map(), unifiedMount: '/sys/fs/cgroup' };
  const [mount, ...rest] = expandCgroupMount(cgroupMount, ['/sys/fs/cgroup/isola/c1'], v2);
  assert.deepEqual([mount?.source, mount?.destination, mount?.isBind, rest.length], ['/sys/fs/cgroup/isola/c1', '/sys/fs/cgroup', true, 0]);
  assert.deepEqual(expandCgroupMount(cgroupMount, [], v2), []);
});

test('device rules become devices.allow and devices.deny lines, with wildcards for what is left out', () => {
  assert.equal(deviceRuleLine({ allow: false, access: 'rwm' }), 'a *:* rwm');
  assert.equal(deviceRuleLine({ allow: true, type: 'c', major: 136, access: 'rw' }), 'c 136:* rw');
  assert.equal(deviceRuleLine({ allow: true, type: 'b', major: 8, minor: 0 }), 'b 8:0 rwm');
  assert.ok(DEFAULT_DEVICE_RULES.some((r) => deviceRuleLine(r) === 'c 5:2 rwm'), 'ptmx is always allowed');
});
