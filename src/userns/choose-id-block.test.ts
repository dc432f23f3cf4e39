import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockIdMaps, chooseIdBlock, measureIdPool, type IdBlock } from './choose-id-block.ts';
import { DEFAULT_POOL, type IdPool } from './id-pool.ts';

const defaultPool: IdPool = {
  source: 'default', uids: [DEFAULT_POOL], gids: [DEFAULT_POOL], alignment: 65536, defaultSize: 65536,
  name: 'the default pool', growHint: 'stop containers',
};

function subidPool(uids: IdPool['uids'], gids: IdPool['gids'] = uids): IdPool {
  return { ...defaultPool, source: 'isola-entry', uids, gids, alignment: 1 };
}

const hasCode = (code: string) => (err: { code?: string }) => err.code === code;

test('the first block of an empty default pool starts at 2^31, the same number for uids and gids', () => {
  assert.deepEqual(chooseIdBlock(defaultPool, [], 65536), { hostUid: 2147483648, hostGid: 2147483648, size: 65536 });
});

test('a held block is skipped and a released one is reused', () => {
  const first: IdBlock = { hostUid: 2147483648, hostGid: 2147483648, size: 65536 };
  const second = chooseIdBlock(defaultPool, [first], 65536);
  assert.deepEqual(second, { hostUid: 2147549184, hostGid: 2147549184, size: 65536 });
  assert.deepEqual(chooseIdBlock(defaultPool, [second], 65536), first);
});

test('a small block in the default pool still starts on a 65536 boundary', () => {
  const small = chooseIdBlock(defaultPool, [], 1000);
  const next = chooseIdBlock(defaultPool, [small], 1000);
  assert.equal(next.hostUid, 2147483648 + 65536);
});

test('a block never overlaps one held with a different size or alignment', () => {
  const odd: IdBlock = { hostUid: 2147483648 + 100, hostGid: 2147483648 + 100, size: 70000 };
  const block = chooseIdBlock(defaultPool, [odd], 65536);
  assert.equal(block.hostUid, 2147483648 + 2 * 65536, 'the first two aligned blocks are touched by the held one');
});

test('the last block of the default pool ends at 4294901759, below the reserved id', () => {
  const blocks = 32767;
  const taken: IdBlock[] = Array.from({ length: blocks - 1 }, (_, i) => ({ hostUid: 2 ** 31 + i * 65536, hostGid: 2 ** 31 + i * 65536, size: 65536 }));
  const last = chooseIdBlock(defaultPool, taken, 65536);
  assert.equal(last.hostUid + last.size - 1, 4294901759);
  assert.throws(() => chooseIdBlock(defaultPool, [...taken, last], 65536), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
});

test('a size no part of the pool can hold is too large, not exhaustion', () => {
  const pool = subidPool([{ start: 100000, size: 65536 }, { start: 300000, size: 65536 }]);
  assert.throws(() => chooseIdBlock(pool, [], 65537), hasCode('ISOLA_USERNS_SIZE_TOO_LARGE'));
  assert.throws(() => chooseIdBlock(defaultPool, [], 2 ** 31), hasCode('ISOLA_USERNS_SIZE_TOO_LARGE'));
});

test('a full pool is exhausted', () => {
  const pool = subidPool([{ start: 100000, size: 65536 }]);
  const held = chooseIdBlock(pool, [], 65536);
  assert.throws(() => chooseIdBlock(pool, [held], 1), hasCode('ISOLA_USERNS_RANGE_EXHAUSTED'));
});

test('uids and gids from different ranges still get blocks, each from its own pool', () => {
  const pool = subidPool([{ start: 1000000, size: 65536 }], [{ start: 2000000, size: 65536 }]);
  assert.deepEqual(chooseIdBlock(pool, [], 65536), { hostUid: 1000000, hostGid: 2000000, size: 65536 });
});

test('a block free at the same number in both pools is preferred over the lowest free of each', () => {
  const pool = subidPool([{ start: 0, size: 300 }]);
  const taken: IdBlock[] = [{ hostUid: 0, hostGid: 100, size: 100 }];
  assert.deepEqual(chooseIdBlock(pool, taken, 100), { hostUid: 200, hostGid: 200, size: 100 });
  assert.deepEqual(chooseIdBlock(pool, [...taken, { hostUid: 200, hostGid: 200, size: 100 }], 100), { hostUid: 100, hostGid: 0, size: 100 });
});

for (const size of [0, -1, 1.5, Number.NaN, 2 ** 32]) {
  test(`a size of ${size} is an invalid --userns value`, () => {
    assert.throws(() => chooseIdBlock(defaultPool, [], size), hasCode('ISOLA_INVALID_OPTION'));
  });
}

test('blockIdMaps maps container id 0 onward to the block', () => {
  assert.deepEqual(blockIdMaps({ hostUid: 10, hostGid: 20, size: 5 }), {
    uidMap: [{ containerId: 0, hostId: 10, size: 5 }],
    gidMap: [{ containerId: 0, hostId: 20, size: 5 }],
  });
});

test('measureIdPool counts the pool and its free part in default-size blocks', () => {
  const held: IdBlock[] = [{ hostUid: 2 ** 31, hostGid: 2 ** 31, size: 65536 }, { hostUid: 2 ** 31 + 65536, hostGid: 2 ** 31 + 65536, size: 10 }];
  assert.deepEqual(measureIdPool(defaultPool, held), { blockSize: 65536, blocks: 32767, freeBlocks: 32765 });
});
