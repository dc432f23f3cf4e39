import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countBlocks, findFirstFit, intersectRanges, largestRangeSize, normalizeRanges, subtractRanges } from './id-ranges.ts';

test('normalizeRanges sorts, merges overlapping and touching ranges, and drops empty ones', () => {
  assert.deepEqual(normalizeRanges([{ start: 300, size: 10 }, { start: 100, size: 50 }, { start: 150, size: 10 }, { start: 120, size: 5 }, { start: 50, size: 0 }]),
    [{ start: 100, size: 60 }, { start: 300, size: 10 }]);
});

test('normalizeRanges cuts ranges off before 4294967295, the id the kernel reserves', () => {
  assert.deepEqual(normalizeRanges([{ start: 4294967290, size: 10 }]), [{ start: 4294967290, size: 5 }]);
  assert.deepEqual(normalizeRanges([{ start: 4294967295, size: 1 }]), []);
});

test('subtractRanges removes ids in the middle, at either end, and whole ranges', () => {
  const pool = [{ start: 0, size: 100 }, { start: 200, size: 100 }];
  assert.deepEqual(subtractRanges(pool, [{ start: 10, size: 10 }, { start: 90, size: 120 }, { start: 290, size: 50 }]),
    [{ start: 0, size: 10 }, { start: 20, size: 70 }, { start: 210, size: 80 }]);
  assert.deepEqual(subtractRanges(pool, [{ start: 0, size: 1000 }]), []);
  assert.deepEqual(subtractRanges(pool, []), pool);
});

test('intersectRanges keeps only ids both sides hold', () => {
  assert.deepEqual(intersectRanges([{ start: 0, size: 100 }, { start: 200, size: 100 }], [{ start: 50, size: 200 }]),
    [{ start: 50, size: 50 }, { start: 200, size: 50 }]);
  assert.deepEqual(intersectRanges([{ start: 0, size: 10 }], [{ start: 10, size: 10 }]), []);
});

test('findFirstFit returns the lowest aligned start with room for the size', () => {
  const ranges = [{ start: 5, size: 30 }, { start: 100, size: 64 }];
  assert.equal(findFirstFit(ranges, 10, 1), 5);
  assert.equal(findFirstFit(ranges, 10, 16), 16, 'aligned up inside the first range');
  assert.equal(findFirstFit(ranges, 20, 16), 112, 'the first range has only 19 ids after 16');
  assert.equal(findFirstFit(ranges, 64, 1), 100);
  assert.equal(findFirstFit(ranges, 65, 1), undefined);
});

test('findFirstFit never spans a gap between ranges, but treats touching ranges as one', () => {
  assert.equal(findFirstFit([{ start: 0, size: 10 }, { start: 11, size: 10 }], 15, 1), undefined);
  assert.equal(findFirstFit([{ start: 0, size: 10 }, { start: 10, size: 10 }], 15, 1), 0, 'touching ranges are one');
});

test('countBlocks counts aligned blocks laid end to end', () => {
  assert.equal(countBlocks([{ start: 0, size: 65536 * 3 }], 65536, 65536), 3);
  assert.equal(countBlocks([{ start: 1, size: 65536 * 3 }], 65536, 65536), 2, 'the partial first block is lost to alignment');
  assert.equal(countBlocks([{ start: 0, size: 100 }], 30, 1), 3);
  assert.equal(countBlocks([{ start: 0, size: 100 }], 30, 16), 3, 'blocks of 30 step by 32 to stay aligned: 0, 32, 64');
  assert.equal(countBlocks([{ start: 0, size: 10 }], 30, 1), 0);
});

test('largestRangeSize is the largest single range, and 0 for none', () => {
  assert.equal(largestRangeSize([{ start: 0, size: 10 }, { start: 100, size: 30 }]), 30);
  assert.equal(largestRangeSize([]), 0);
});
