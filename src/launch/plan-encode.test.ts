import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLaunchPlan } from './plan-encode.ts';
import { CLONE_FLAGS, TAG } from './plan-tags.ts';
import type { LaunchPlan } from './launch-plan.ts';

const minimal: LaunchPlan = {
  namespaces: ['mount', 'pid'], ensureDirs: [], mounts: [], symlinks: [], maskedPaths: [], readonlyPaths: [],
  isLoopbackUp: false, rlimits: [], hasNewSession: true, user: { uid: 0, gid: 0, umask: 0o22 },
  capabilities: { bounding: 1n, effective: 1n, permitted: 1n, inheritable: 0n, ambient: 0n },
  noNewPrivileges: false, cwd: '/', args: ['true'], env: [],
};

/** Reads records back: [tag, fields][] with numbers as bigint. */
function decode(bytes: Buffer): Array<[number, Array<bigint | string>]> {
  assert.equal(bytes.toString('latin1', 0, 8), 'ISOLAPLN');
  const count = bytes.readUInt32LE(12);
  const records: Array<[number, Array<bigint | string>]> = [];
  let at = 16;
  for (let r = 0; r < count; r++) {
    const tag = bytes.readUInt32LE(at);
    const n = bytes.readUInt32LE(at + 4);
    at += 8;
    const fields: Array<bigint | string> = [];
    for (let f = 0; f < n; f++) {
      const kind = String.fromCharCode(bytes[at]!);
      if (kind === 'u') { fields.push(bytes.readBigUInt64LE(at + 1)); at += 9; continue; }
      const len = bytes.readUInt32LE(at + 1);
      assert.equal(bytes[at + 5 + len], 0, 'strings end with NUL');
      fields.push(bytes.toString('utf8', at + 5, at + 5 + len));
      at += 6 + len;
    }
    records.push([tag, fields]);
  }
  assert.equal(at, bytes.length, 'no trailing bytes');
  return records;
}

test('a minimal plan encodes namespaces first and args, env last', () => {
  const records = decode(encodeLaunchPlan(minimal));
  assert.deepEqual(records[0], [TAG.namespaces, [BigInt(CLONE_FLAGS.mount | CLONE_FLAGS.pid)]]);
  assert.deepEqual(records.at(-2), [TAG.args, ['true']]);
  assert.deepEqual(records.at(-1), [TAG.env, []]);
});

test('ID maps become flat triples and negative numbers wrap to two\'s complement', () => {
  const plan: LaunchPlan = {
    ...minimal, namespaces: ['user'], oomScoreAdj: -500,
    idMaps: { uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }, { containerId: 65536, hostId: 1000, size: 1 }],
      gidMap: [{ containerId: 0, hostId: 100000, size: 1 }], writer: { method: 'helper', newuidmap: '/usr/bin/newuidmap', newgidmap: '/usr/bin/newgidmap' } },
  };
  const records = decode(encodeLaunchPlan(plan));
  assert.deepEqual(records.find(([t]) => t === TAG.uidMap)?.[1], [0n, 100000n, 65536n, 65536n, 1000n, 1n]);
  assert.deepEqual(records.find(([t]) => t === TAG.mapWriter)?.[1], [2n, 0n, '/usr/bin/newuidmap', '/usr/bin/newgidmap']);
  assert.deepEqual(records.find(([t]) => t === TAG.oomScoreAdj)?.[1], [2n ** 64n - 500n]);
});

test('a string with a NUL byte is refused instead of being cut short', () => {
  assert.throws(() => encodeLaunchPlan({ ...minimal, args: ['sh\0-c'] }), TypeError);
});

test('a plan without args is refused', () => {
  assert.throws(() => encodeLaunchPlan({ ...minimal, args: [] }), TypeError);
});

test('a rootfs overlay and an ID-mapped bind with its own maps encode as records 28 and 29', () => {
  const records = decode(encodeLaunchPlan({
    ...minimal,
    rootfs: { path: '/m', propagation: 0, isReadonly: false },
    rootfsOverlay: { lowers: ['/top', '/bottom'], upper: '/u', work: '/w', options: 'userxattr', isIdmapped: true, isInUserns: false },
    mounts: [{
      source: '/h', destination: '/v', fstype: '', flags: 0, data: '', isBind: true, isRecursive: true, createTarget: 'dir',
      isPrecreated: false, attrSet: 1, propagation: 0,
      idmap: { uidMap: [{ containerId: 0, hostId: 1000, size: 10 }], gidMap: [{ containerId: 0, hostId: 2000, size: 1 }, { containerId: 1, hostId: 3000, size: 1 }] },
    }],
  }));
  assert.deepEqual(records.find(([tag]) => tag === TAG.rootfsOverlay)?.[1], ['/u', '/w', 'userxattr', 1n, '/top', '/bottom']);
  const mountAt = records.findIndex(([tag]) => tag === TAG.mount);
  assert.equal(records[mountAt]![1][6], 0x100001n, 'MOUNT_ATTR_IDMAP is added to the attrs');
  assert.deepEqual(records[mountAt + 1], [TAG.mountIdmap, [1n, 0n, 1000n, 10n, 0n, 2000n, 1n, 1n, 3000n, 1n]]);
});

test('preserved fds are one record with their count, and none when there are none', () => {
  const tags = (plan: LaunchPlan): Array<[number, Array<bigint | string>]> => decode(encodeLaunchPlan(plan)).filter(([tag]) => tag === TAG.preserveFds);
  assert.deepEqual(tags({ ...minimal, preservedFds: 2 }), [[TAG.preserveFds, [2n]]]);
  assert.deepEqual(tags({ ...minimal, preservedFds: 0 }), []);
  assert.deepEqual(tags(minimal), []);
});

test('makeCwd encodes its path, when, and owner, 0xffffffff keeping the maker\'s ids; only with a rootfs', () => {
  const rootfs = { path: '/r', propagation: 0, isReadonly: false };
  const owned = decode(encodeLaunchPlan({ ...minimal, rootfs, makeCwd: { path: '/w', isPrecreated: true, owner: { uid: 5, gid: 6 } } }));
  assert.deepEqual(owned.find(([tag]) => tag === TAG.makeCwd)?.[1], ['/w', 1n, 5n, 6n]);
  const kept = decode(encodeLaunchPlan({ ...minimal, rootfs, makeCwd: { path: '/w', isPrecreated: false } }));
  assert.deepEqual(kept.find(([tag]) => tag === TAG.makeCwd)?.[1], ['/w', 0n, 0xffffffffn, 0xffffffffn]);
  const none = decode(encodeLaunchPlan({ ...minimal, makeCwd: { path: '/w', isPrecreated: false } }));
  assert.equal(none.some(([tag]) => tag === TAG.makeCwd), false);
});

test('a takeover encodes the paths to remove, the failure command, a null stdin and the death with its monitor as records 81 to 84', () => {
  const records = decode(encodeLaunchPlan({
    ...minimal, takeover: { removeAtExit: ['/run/x/hosts', '/run/x'], failureCommand: ['/usr/bin/node', 'isola.cjs'], isStdinNull: true },
  }));
  assert.deepEqual(records.filter(([tag]) => tag >= 81 && tag <= 84), [[TAG.removeAtExit, ['/run/x/hosts', '/run/x']],
    [TAG.failureCommand, ['/usr/bin/node', 'isola.cjs']], [TAG.stdinNull, []], [TAG.dieWithMonitor, []]]);
});
