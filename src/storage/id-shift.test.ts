import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idShift, shiftId } from './id-shift.ts';

const range = (containerId: number, hostId: number, size: number) => ({ containerId, hostId, size });

test('a privileged copy writes the host id the container map gives each id', () => {
  const shift = idShift({ uidMap: [range(0, 500000, 65536)], gidMap: [range(0, 600000, 1000)] });
  assert.equal(shiftId(shift.uids, 0, shift.overflow.uid), 500000);
  assert.equal(shiftId(shift.uids, 1000, shift.overflow.uid), 501000);
  assert.equal(shiftId(shift.gids, 999, shift.overflow.gid), 600999);
});

test('ids the container map leaves out become the overflow id, never a raw host id', () => {
  const shift = idShift({ uidMap: [range(0, 500000, 1000)], gidMap: [range(0, 500000, 1000)] });
  assert.equal(shiftId(shift.uids, 1000, shift.overflow.uid), 65534);
  assert.equal(shiftId(shift.gids, 70000, shift.overflow.gid), 65534);
});

test('a copy inside the caller\'s namespace writes host ids as that namespace sees them', () => {
  const writer = { uidMap: [range(0, 1001, 1), range(1, 200000, 65536)], gidMap: [range(0, 1001, 1), range(1, 200000, 65536)] };
  const shift = idShift({ uidMap: [range(0, 210000, 1000)], gidMap: [range(0, 210000, 1000)] }, writer);
  assert.equal(shiftId(shift.uids, 0, shift.overflow.uid), 10001);
  assert.equal(shiftId(shift.uids, 999, shift.overflow.uid), 11000);
});

test('a container range split across two of the writer\'s ranges keeps every id right', () => {
  const writer = { uidMap: [range(0, 100, 10), range(10, 1000, 10)], gidMap: [range(0, 100, 10)] };
  const shift = idShift({ uidMap: [range(0, 105, 5), range(5, 1000, 5)], gidMap: [range(0, 100, 10)] }, writer);
  assert.deepEqual([0, 4, 5, 9].map((id) => shiftId(shift.uids, id, -1)), [5, 9, 10, 14]);
});

test('rootless, an overflow the namespace cannot write falls back to the container\'s 65534', () => {
  const writer = { uidMap: [range(0, 1001, 1), range(1, 200000, 65536)], gidMap: [range(0, 1001, 1), range(1, 200000, 65536)] };
  const shift = idShift({ uidMap: [range(0, 200000, 65536)], gidMap: [range(0, 200000, 65536)] }, writer);
  assert.equal(shift.overflow.uid, 65535);
});
