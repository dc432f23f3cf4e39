import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepIdMaps } from './keep-id.ts';
import { validateIdMap } from './validate-id-map.ts';

test('without subordinate ranges only the caller maps to itself', () => {
  assert.deepEqual(keepIdMaps({ uid: 1000, gid: 1001, subuids: [], subgids: [] }), {
    uidMap: [{ containerId: 1000, hostId: 1000, size: 1 }],
    gidMap: [{ containerId: 1001, hostId: 1001, size: 1 }],
  });
});

test('one range fills the ids below the caller, then the ids above it', () => {
  const maps = keepIdMaps({ uid: 1000, gid: 1000, subuids: [{ start: 100000, size: 65536 }], subgids: [{ start: 200000, size: 65536 }] });
  assert.deepEqual(maps.uidMap, [
    { containerId: 0, hostId: 100000, size: 1000 },
    { containerId: 1000, hostId: 1000, size: 1 },
    { containerId: 1001, hostId: 101000, size: 64536 },
  ]);
  assert.deepEqual(maps.gidMap, [
    { containerId: 0, hostId: 200000, size: 1000 },
    { containerId: 1000, hostId: 1000, size: 1 },
    { containerId: 1001, hostId: 201000, size: 64536 },
  ]);
  validateIdMap(maps.uidMap, 'uid');
  validateIdMap(maps.gidMap, 'gid');
});

test('several ranges are used in order, split at the caller id', () => {
  const subuids = [
    { start: 300000, size: 600 },
    { start: 100000, size: 600 },
    { start: 500000, size: 10 },
  ];
  const { uidMap } = keepIdMaps({ uid: 1000, gid: 1000, subuids, subgids: [] });
  assert.deepEqual(uidMap, [
    { containerId: 0, hostId: 300000, size: 600 },
    { containerId: 600, hostId: 100000, size: 400 },
    { containerId: 1000, hostId: 1000, size: 1 },
    { containerId: 1001, hostId: 100400, size: 200 },
    { containerId: 1201, hostId: 500000, size: 10 },
  ]);
  validateIdMap(uidMap, 'uid');
});

test('ranges smaller than the caller id leave the ids above it unmapped', () => {
  const { uidMap } = keepIdMaps({ uid: 1000, gid: 1000, subuids: [{ start: 100000, size: 10 }], subgids: [] });
  assert.deepEqual(uidMap, [
    { containerId: 0, hostId: 100000, size: 10 },
    { containerId: 1000, hostId: 1000, size: 1 },
  ]);
});

test('a caller with id 0 keeps 0 and the ranges start at 1', () => {
  const { uidMap, gidMap } = keepIdMaps({ uid: 0, gid: 0, subuids: [{ start: 100000, size: 65536 }], subgids: [] });
  assert.deepEqual(uidMap, [
    { containerId: 0, hostId: 0, size: 1 },
    { containerId: 1, hostId: 100000, size: 65536 },
  ]);
  assert.deepEqual(gidMap, [{ containerId: 0, hostId: 0, size: 1 }]);
});

test('overlapping or duplicated ranges and the caller id inside a range still give a valid map', () => {
  const subuids = [
    { start: 100000, size: 100 },
    { start: 100050, size: 100 },
    { start: 100000, size: 100 },
    { start: 990, size: 20 },
  ];
  const { uidMap } = keepIdMaps({ uid: 1000, gid: 1000, subuids, subgids: [] });
  validateIdMap(uidMap, 'uid');
  const mappedHostIds = uidMap.reduce((sum, e) => sum + e.size, 0);
  assert.equal(mappedHostIds, 150 + 19 + 1);
});

test('ranges reaching the top of the id space are cut below 4294967295', () => {
  const { uidMap } = keepIdMaps({ uid: 0, gid: 0, subuids: [{ start: 4294967200, size: 96 }], subgids: [] });
  validateIdMap(uidMap, 'uid');
  assert.deepEqual(uidMap[1], { containerId: 1, hostId: 4294967200, size: 95 });
});
