/**
 * Set arithmetic on id ranges (`size` ids from `start`), the ground the pool and
 * the allocator stand on. Every result is sorted, merged where ranges touch, and
 * clipped below (u32)-1, the id the kernel reserves as "invalid": no range this
 * file returns may reach it.
 */
import { INVALID_ID } from './id-map.ts';
import type { SubidRange } from './subid-file.ts';

/** Sorted, disjoint, non-touching ranges, all below INVALID_ID. */
export function normalizeRanges(ranges: readonly SubidRange[]): SubidRange[] {
  const clipped = ranges
    .map((r) => ({ start: r.start, end: Math.min(r.start + r.size, INVALID_ID) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of clipped) {
    const last = merged.at(-1);
    if (last !== undefined && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map((r) => ({ start: r.start, size: r.end - r.start }));
}

/** The ids of `ranges` that no range of `removed` holds. */
export function subtractRanges(ranges: readonly SubidRange[], removed: readonly SubidRange[]): SubidRange[] {
  const cuts = normalizeRanges(removed);
  const result: SubidRange[] = [];
  for (const range of normalizeRanges(ranges)) {
    let start = range.start;
    const end = range.start + range.size;
    for (const cut of cuts) {
      const cutEnd = cut.start + cut.size;
      if (cutEnd <= start || cut.start >= end) continue;
      if (cut.start > start) result.push({ start, size: cut.start - start });
      start = Math.max(start, cutEnd);
    }
    if (start < end) result.push({ start, size: end - start });
  }
  return result;
}

/** The ids both `a` and `b` hold. */
export function intersectRanges(a: readonly SubidRange[], b: readonly SubidRange[]): SubidRange[] {
  const result: SubidRange[] = [];
  const right = normalizeRanges(b);
  for (const left of normalizeRanges(a)) {
    for (const other of right) {
      const start = Math.max(left.start, other.start);
      const end = Math.min(left.start + left.size, other.start + other.size);
      if (end > start) result.push({ start, size: end - start });
    }
  }
  return normalizeRanges(result);
}

function alignUp(id: number, alignment: number): number {
  return Math.ceil(id / alignment) * alignment;
}

/**
 * The lowest start, a multiple of `alignment`, of `size` consecutive ids that lie in
 * one of `ranges`; undefined when none fits.
 */
export function findFirstFit(ranges: readonly SubidRange[], size: number, alignment: number): number | undefined {
  for (const range of normalizeRanges(ranges)) {
    const start = alignUp(range.start, alignment);
    if (start + size <= range.start + range.size) return start;
  }
  return undefined;
}

/** How many blocks of `blockSize` ids, each starting on a multiple of `alignment`, fit in `ranges` side by side. */
export function countBlocks(ranges: readonly SubidRange[], blockSize: number, alignment: number): number {
  let count = 0;
  for (const range of normalizeRanges(ranges)) {
    const usable = range.start + range.size - alignUp(range.start, alignment);
    // Blocks laid end to end keep the alignment only when the block size is a multiple of it.
    const stride = alignUp(blockSize, alignment);
    if (usable >= blockSize) count += 1 + Math.floor((usable - blockSize) / stride);
  }
  return count;
}

/** The size of the largest single range, 0 for none. */
export function largestRangeSize(ranges: readonly SubidRange[]): number {
  return normalizeRanges(ranges).reduce((largest, r) => Math.max(largest, r.size), 0);
}
