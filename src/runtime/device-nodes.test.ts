import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDeviceNodes } from './mount-plan.ts';
import { buildLaunchPlan } from './launch-plan-from-config.ts';
import type { HostContext } from './host-context.ts';
import type { OciConfig } from './oci-config.ts';

const root: HostContext = { isPrivileged: true, uid: 0, gid: 0, userName: 'root', subuids: [], subgids: [], idMapHelpers: undefined };
const device = { path: '/dev/test1', type: 'c' as const, major: 10, minor: 666, fileMode: 0o620, uid: 5, gid: 6 };

test('linux.devices become mknod nodes with the config\'s numbers, mode and owner', () => {
  assert.deepEqual(planDeviceNodes([device, { path: '/dev/fifo', type: 'p' }]), [
    { path: '/dev/test1', type: 'char', major: 10, minor: 666, mode: 0o620, uid: 5, gid: 6 },
    { path: '/dev/fifo', type: 'fifo', major: 0, minor: 0, mode: 0o666, uid: 0, gid: 0 },
  ]);
  assert.throws(() => planDeviceNodes([{ path: '/dev/x', type: 'b' }]), { code: 'ISOLA_RUNTIME_INVALID_CONFIG' });
});

test('devices are made with mknod without a user namespace, and bound from the host in one', async () => {
  const config: OciConfig = {
    ociVersion: '1.3.0', root: { path: '/rootfs' }, process: { args: ['true'], cwd: '/', user: { uid: 0, gid: 0 } },
    mounts: [{ destination: '/dev', type: 'tmpfs', source: 'tmpfs' }],
    linux: { namespaces: [{ type: 'mount' }], devices: [device] },
  };
  const plain = await buildLaunchPlan(config, { host: root, bundle: '/b', isHostTerminalRaw: false });
  assert.deepEqual(plain.deviceNodes?.map((n) => n.path), ['/dev/test1']);
  assert.ok(plain.mounts.some((m) => m.destination === '/dev/null' && m.isBind), 'the default devices are still bound');
  assert.ok(!plain.mounts.some((m) => m.destination === '/dev/test1'));
  const withUserns = await buildLaunchPlan({
    ...config, linux: { ...config.linux, namespaces: [{ type: 'mount' }, { type: 'user' }],
      uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] },
  }, { host: root, bundle: '/b', isHostTerminalRaw: false });
  assert.equal(withUserns.deviceNodes, undefined);
  assert.ok(withUserns.mounts.some((m) => m.destination === '/dev/test1' && m.isBind));
});
