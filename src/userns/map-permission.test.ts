import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdMapEntry } from './id-map.ts';
import { checkMapAllowed, chooseMapWriter, type MapCaller } from './map-permission.ts';

const alice: MapCaller = {
  isPrivileged: false,
  id: 1000,
  name: 'alice',
  subidRanges: [{ start: 100000, size: 65536 }],
  subidFile: '/etc/subuid',
};

function refused(entries: readonly IdMapEntry[], caller: MapCaller, mapLine: number): void {
  assert.throws(
    () => checkMapAllowed(entries, 'uid', caller),
    (err: { code?: string; kind?: string; mapLines?: readonly number[]; file?: string; hint?: string }) => {
      assert.equal(err.code, 'ISOLA_USERNS_MAP_NOT_ALLOWED');
      assert.equal(err.kind, 'uid');
      assert.deepEqual(err.mapLines, [mapLine]);
      assert.equal(err.file, caller.subidFile);
      assert.ok(err.hint);
      return true;
    },
  );
}

test('root in the initial user namespace may map any host ids', () => {
  checkMapAllowed([{ containerId: 0, hostId: 0, size: 4294967295 }], 'uid', { ...alice, isPrivileged: true, subidRanges: [] });
});

test('an unprivileged caller may map its own id and its subordinate ranges', () => {
  checkMapAllowed(
    [
      { containerId: 0, hostId: 1000, size: 1 },
      { containerId: 1, hostId: 100000, size: 65536 },
    ],
    'uid',
    alice,
  );
});

test('an unprivileged caller may map part of a subordinate range, up to its last id', () => {
  checkMapAllowed([{ containerId: 0, hostId: 165535, size: 1 }], 'uid', alice);
  checkMapAllowed([{ containerId: 0, hostId: 100010, size: 10 }], 'uid', alice);
});

test('a host range spanning two subordinate ranges that touch is allowed', () => {
  const caller = { ...alice, subidRanges: [{ start: 200000, size: 100 }, { start: 100000, size: 100 }, { start: 100100, size: 100 }] };
  checkMapAllowed([{ containerId: 0, hostId: 100050, size: 100 }], 'uid', caller);
});

test('a host range spanning a gap between subordinate ranges is refused', () => {
  const caller = { ...alice, subidRanges: [{ start: 100000, size: 100 }, { start: 100101, size: 100 }] };
  refused([{ containerId: 0, hostId: 100050, size: 100 }], caller, 1);
});

test('a host range running one id past the subordinate range is refused', () => {
  refused([{ containerId: 0, hostId: 100000, size: 65537 }], alice, 1);
});

test('a host range starting before the subordinate range is refused', () => {
  refused([{ containerId: 0, hostId: 99999, size: 2 }], alice, 1);
});

test("another user's id is refused", () => {
  refused(
    [
      { containerId: 0, hostId: 1000, size: 1 },
      { containerId: 1, hostId: 1001, size: 1 },
    ],
    alice,
    2,
  );
});

test('the own id is allowed only as a line of its own', () => {
  refused([{ containerId: 0, hostId: 1000, size: 2 }], alice, 1);
});

test('a caller without subordinate ranges may map only its own id', () => {
  const caller = { ...alice, subidRanges: [] };
  checkMapAllowed([{ containerId: 0, hostId: 1000, size: 1 }], 'uid', caller);
  refused([{ containerId: 0, hostId: 0, size: 1 }], caller, 1);
});

test('the error names the gid kind for gid maps', () => {
  assert.throws(
    () => checkMapAllowed([{ containerId: 0, hostId: 5, size: 1 }], 'gid', { ...alice, subidFile: '/etc/subgid' }),
    (err: { code?: string; kind?: string; file?: string }) =>
      err.code === 'ISOLA_USERNS_MAP_NOT_ALLOWED' && err.kind === 'gid' && err.file === '/etc/subgid',
  );
});

const selfMap = [{ containerId: 0, hostId: 1000, size: 1 }];
const wideMap = [
  { containerId: 0, hostId: 1000, size: 1 },
  { containerId: 1, hostId: 100000, size: 65536 },
];

test('a privileged caller writes any map directly without denying setgroups', () => {
  assert.deepEqual(chooseMapWriter(wideMap, 'uid', { isPrivileged: true, id: 0 }), { method: 'direct', denySetgroups: false });
  assert.deepEqual(chooseMapWriter(wideMap, 'gid', { isPrivileged: true, id: 0 }), { method: 'direct', denySetgroups: false });
});

test('an unprivileged caller writes its own single-id uid map directly', () => {
  assert.deepEqual(chooseMapWriter(selfMap, 'uid', { isPrivileged: false, id: 1000 }), { method: 'direct', denySetgroups: false });
});

test('an unprivileged caller writing its own gid map directly must deny setgroups', () => {
  assert.deepEqual(chooseMapWriter(selfMap, 'gid', { isPrivileged: false, id: 1000 }), { method: 'direct', denySetgroups: true });
});

test('an unprivileged caller needs the helper for more than its own id', () => {
  assert.deepEqual(chooseMapWriter(wideMap, 'uid', { isPrivileged: false, id: 1000 }), { method: 'helper' });
  assert.deepEqual(chooseMapWriter([{ containerId: 0, hostId: 1000, size: 2 }], 'gid', { isPrivileged: false, id: 1000 }), {
    method: 'helper',
  });
  assert.deepEqual(chooseMapWriter(selfMap, 'uid', { isPrivileged: false, id: 1001 }), { method: 'helper' });
});
