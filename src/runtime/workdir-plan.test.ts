import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanMount } from '../launch/index.ts';
import { planMakeCwd, type MakeCwdInput } from './workdir-plan.ts';

const MAP = [{ containerId: 0, hostId: 100000, size: 65536 }];
const idMaps = { uidMap: MAP, gidMap: MAP, writer: { method: 'direct', denySetgroups: false } } as const;
const tmpfs = { destination: '/scratch' } as PlanMount;
const base: MakeCwdInput = {
  cwd: '/srv/app', user: { uid: 1000, gid: 1001 }, mounts: [tmpfs], isOnOverlay: false, idMaps, isUsernsJoined: false,
  caller: { isPrivileged: true, uid: 0, gid: 0 }, isForUser: true,
};

test('the runtime makes it in the container as its root, keeping no owner, as runc does', () => {
  assert.deepEqual(planMakeCwd({ ...base, isForUser: false }), { path: '/srv/app', isPrecreated: false });
});

test('outside every mount the engine makes it before clone, owned by the user\'s host ids', () => {
  assert.deepEqual(planMakeCwd(base), { path: '/srv/app', isPrecreated: true, owner: { uid: 101000, gid: 101001 } });
  assert.deepEqual(planMakeCwd({ ...base, idMaps: undefined }).owner, { uid: 1000, gid: 1001 });
});

test('the path is cleaned lexically, so the shim can split it', () => {
  assert.equal(planMakeCwd({ ...base, cwd: '/srv//app/./x/../' }).path, '/srv/app');
});

test('under a mount or on an overlay the init makes it, owned by the user inside', () => {
  for (const input of [{ ...base, cwd: '/scratch/a' }, { ...base, cwd: '/scratch' }, { ...base, isOnOverlay: true }]) {
    assert.deepEqual(planMakeCwd(input), { path: input.cwd, isPrecreated: false, owner: { uid: 1000, gid: 1001 } });
  }
  assert.equal(planMakeCwd({ ...base, cwd: '/scratchpad' }).isPrecreated, true);
});

test('a caller without privilege keeps it unless the user is the caller outside; unknown maps keep it too', () => {
  const caller = { isPrivileged: false, uid: 101000, gid: 101001 };
  assert.deepEqual(planMakeCwd({ ...base, caller }).owner, { uid: 101000, gid: 101001 });
  assert.equal(planMakeCwd({ ...base, caller: { ...caller, uid: 1234 } }).owner, undefined);
  assert.equal(planMakeCwd({ ...base, user: { uid: 70000, gid: 0 } }).owner, undefined);
  assert.equal(planMakeCwd({ ...base, idMaps: undefined, isUsernsJoined: true }).owner, undefined);
});
