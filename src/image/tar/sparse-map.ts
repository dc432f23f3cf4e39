/**
 * The map at the start of a pax sparse 1.0 file's data: decimal lines, the
 * segment count, then an offset and a length per segment, padded to a block.
 */
import { TarError } from './tar-error.ts';
import type { SparseSegment } from './tar-entry.ts';

const MAX_SPARSE_SEGMENTS = 1 << 20;

/** The segments, or undefined when `blocks` ends before the map does (read another block). */
export function parseSparseMap(blocks: Buffer, offset: number): SparseSegment[] | undefined {
  const lines = blocks.toString('latin1').split('\n');
  lines.pop(); // incomplete tail
  if (lines.length === 0) return undefined;
  const count = Number(lines[0]);
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_SPARSE_SEGMENTS) {
    throw new TarError('ISOLA_TAR_INVALID', `bad sparse map at byte ${offset}`, { offset });
  }
  if (lines.length < 1 + 2 * count) return undefined;
  const segments: SparseSegment[] = [];
  for (let i = 0; i < count; i++) segments.push({ offset: Number(lines[1 + 2 * i]), length: Number(lines[2 + 2 * i]) });
  return segments;
}

/** Segments must be numbers, in order, inside the real size, and hold exactly the stored data. */
export function checkSparseMap(segments: readonly SparseSegment[], realSize: number, dataSize: number, offset: number): void {
  let end = 0;
  let total = 0;
  const bad = (why: string): TarError => new TarError('ISOLA_TAR_INVALID', `bad sparse map at byte ${offset}: ${why}`, { offset });
  if (!Number.isSafeInteger(realSize) || realSize < 0) throw bad('GNU.sparse.realsize missing or invalid');
  for (const { offset: start, length } of segments) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < end || length < 0) throw bad('segments overlap or are not numbers');
    end = start + length;
    total += length;
  }
  if (end > realSize) throw bad('a segment lies past the real size');
  if (total !== dataSize) throw bad(`segments hold ${total} bytes but the entry stores ${dataSize}`);
}
