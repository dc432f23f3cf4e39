/**
 * Choosing a container's host ids from the pool, given what other containers hold.
 * Pure: the engine runs it inside a database transaction, so the choice and the
 * record of it are one step for every concurrent isola.
 */
import { InvalidOptionError } from '../errors/index.ts';
import { UsernsError } from './errors.ts';
import { INVALID_ID, type IdMaps } from './id-map.ts';
import type { IdPool } from './id-pool.ts';
import { countBlocks, findFirstFit, intersectRanges, subtractRanges } from './id-ranges.ts';
import type { SubidRange } from './subid-file.ts';

/** `size` host uids from `hostUid` and as many gids from `hostGid`, given to one container. */
export interface IdBlock {
  readonly hostUid: number;
  readonly hostGid: number;
  readonly size: number;
}

function uidRange(block: IdBlock): SubidRange {
  return { start: block.hostUid, size: block.size };
}

function gidRange(block: IdBlock): SubidRange {
  return { start: block.hostGid, size: block.size };
}

/** @throws InvalidOptionError for a size that is not a whole number of ids the kernel can map. */
export function checkBlockSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1 || size >= INVALID_ID) {
    throw new InvalidOptionError('--userns', `auto:size=N with N from 1 to ${INVALID_ID - 1}`, size);
  }
}

/**
 * The lowest free block of `size` ids, at the same number for uids and gids when
 * such a block is free in both, else the lowest free one of each.
 * @throws UsernsError ISOLA_USERNS_SIZE_TOO_LARGE when no part of the pool is that large,
 *   ISOLA_USERNS_RANGE_EXHAUSTED when every large enough part is taken.
 */
export function chooseIdBlock(pool: IdPool, taken: readonly IdBlock[], size: number): IdBlock {
  checkBlockSize(size);
  const { alignment } = pool;
  if (findFirstFit(pool.uids, size, alignment) === undefined || findFirstFit(pool.gids, size, alignment) === undefined) {
    throw new UsernsError('ISOLA_USERNS_SIZE_TOO_LARGE', `${size} ids do not fit in ${pool.name}`, {
      hint: `ask for fewer (--userns=auto:size=N), or ${pool.growHint}`,
    });
  }
  const freeUids = subtractRanges(pool.uids, taken.map(uidRange));
  const freeGids = subtractRanges(pool.gids, taken.map(gidRange));
  const same = findFirstFit(intersectRanges(freeUids, freeGids), size, alignment);
  if (same !== undefined) return { hostUid: same, hostGid: same, size };
  const hostUid = findFirstFit(freeUids, size, alignment);
  const hostGid = findFirstFit(freeGids, size, alignment);
  if (hostUid === undefined || hostGid === undefined) {
    throw new UsernsError('ISOLA_USERNS_RANGE_EXHAUSTED', `no free block of ${size} ids is left in ${pool.name} (${taken.length} held)`, {
      hint: pool.growHint,
    });
  }
  return { hostUid, hostGid, size };
}

/** Container ids 0..size-1 on the block: root inside is the block's first host id. */
export function blockIdMaps(block: IdBlock): IdMaps {
  return {
    uidMap: [{ containerId: 0, hostId: block.hostUid, size: block.size }],
    gidMap: [{ containerId: 0, hostId: block.hostGid, size: block.size }],
  };
}

/** How much of a pool is in use, counted in default-size blocks. */
export interface IdPoolUsage {
  readonly blockSize: number;
  /** Blocks the whole pool holds. */
  readonly blocks: number;
  /** Blocks still free for both uids and gids. */
  readonly freeBlocks: number;
}

export function measureIdPool(pool: IdPool, taken: readonly IdBlock[]): IdPoolUsage {
  const blockSize = pool.defaultSize;
  const count = (uids: readonly SubidRange[], gids: readonly SubidRange[]) =>
    Math.min(countBlocks(uids, blockSize, pool.alignment), countBlocks(gids, blockSize, pool.alignment));
  return {
    blockSize,
    blocks: count(pool.uids, pool.gids),
    freeBlocks: count(subtractRanges(pool.uids, taken.map(uidRange)), subtractRanges(pool.gids, taken.map(gidRange))),
  };
}
