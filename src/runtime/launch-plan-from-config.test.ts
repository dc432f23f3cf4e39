import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLaunchPlan } from './launch-plan-from-config.ts';
import type { HostContext } from './host-context.ts';
import type { OciConfig } from './oci-config.ts';

/** An ordinary user without newuidmap: only a map of its own id, written directly with setgroups denied. */
const ROOTLESS: HostContext = { isPrivileged: false, uid: 1000, gid: 1000, userName: 'u', subuids: [], subgids: [], idMapHelpers: undefined };

function rootlessConfig(additionalGids: number[], extra: Partial<NonNullable<OciConfig['linux']>> = {}): OciConfig {
  return {
    ociVersion: '1.3.0', root: { path: '/rootfs' },
    process: { user: { uid: 0, gid: 0, additionalGids }, cwd: '/', args: ['true'], noNewPrivileges: true },
    linux: {
      namespaces: [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }],
      uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], ...extra,
    },
  };
}

const context = { host: ROOTLESS, bundle: '/', isHostTerminalRaw: false };

test('supplementary groups that cannot be set because setgroups is denied are an error, not dropped', async () => {
  await assert.rejects(buildLaunchPlan(rootlessConfig([5]), context), { code: 'ISOLA_RUNTIME_UNSUPPORTED', field: 'process.user.additionalGids' });
  assert.equal((await buildLaunchPlan(rootlessConfig([]), context)).additionalGids, undefined);
});

test('the plan carries the compiled filter, loaded last with noNewPrivileges, and the kernel settings', async () => {
  const plan = await buildLaunchPlan(rootlessConfig([], {
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] },
    personality: { domain: 'LINUX32' },
  }), context);
  assert.equal(plan.seccomp?.phase, 'before-exec');
  assert.ok((plan.seccomp?.program.length ?? 0) > 0);
  assert.equal(plan.personality, 8);
});

test('an invalid config is refused before any planning', async () => {
  const config = { ...rootlessConfig([]), process: { ...rootlessConfig([]).process!, capabilities: { bounding: ['CAP_NOPE'] } } };
  await assert.rejects(buildLaunchPlan(config, context), { code: 'ISOLA_RUNTIME_INVALID_CONFIG', field: 'process.capabilities.bounding[0]' });
});

test('a container without a mount namespace gets no rootfs and no mounts, and one joining a mount namespace sets its rootfs up there', async () => {
  const mounts = [{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' }];
  const shared = await buildLaunchPlan({ ...rootlessConfig([], { namespaces: [{ type: 'user' }, { type: 'pid' }], maskedPaths: ['/proc/kcore'] }), mounts }, context);
  assert.equal(shared.rootfs, undefined);
  assert.equal(shared.isExecutableCheckedAtCreate, false);
  assert.deepEqual([shared.mounts, shared.maskedPaths], [[], []]);
  const joined = await buildLaunchPlan({ ...rootlessConfig([], { namespaces: [{ type: 'user' }, { type: 'mount', path: '/proc/1/ns/mnt' }] }), mounts }, context);
  assert.equal(joined.rootfs?.path, '/rootfs');
  assert.deepEqual(joined.joinNamespaces, [{ kind: 'mount', path: '/proc/1/ns/mnt' }]);
  assert.equal(joined.mounts.length, 1);
});

test('without a user namespace of its own, a capability outside the runtime\'s bounding set is refused at create', async () => {
  const host: HostContext = { ...ROOTLESS, isPrivileged: true, uid: 0, gid: 0, boundingCaps: 0b1n };
  const config = (namespaces: NonNullable<NonNullable<OciConfig['linux']>['namespaces']>): OciConfig => ({
    ...rootlessConfig([], { namespaces, uidMappings: [], gidMappings: [] }),
    process: { ...rootlessConfig([]).process!, capabilities: { bounding: ['CAP_CHOWN', 'CAP_KILL'], permitted: ['CAP_CHOWN', 'CAP_KILL'] } },
  });
  await assert.rejects(buildLaunchPlan(config([{ type: 'mount' }]), { ...context, host }), { code: 'ISOLA_RUNTIME_CAPABILITY_UNAVAILABLE' });
  await buildLaunchPlan(config([{ type: 'mount' }]), { ...context, host: { ...host, boundingCaps: 0b100001n } });
});
