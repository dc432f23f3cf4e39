/**
 * The cost of `--userns=auto`'s bookkeeping alone: allocating and releasing
 * one id block through the engine's IdAllocator while the state database
 * already holds many live allocations. Every allocation scans the live rows
 * (to collect abandoned ones and find a free block), so the cost grows with
 * their number; this measures it at the sizes asked for, in one database.
 */
import { IdAllocator, type IdAllocation } from '../../src/engine/id-allocator.ts';
import { summarize, type Summary } from './timing.ts';

export interface AllocationTiming {
  /** Live allocations in the database while the pairs were timed. */
  readonly live: number;
  readonly allocate: Summary;
  readonly release: Summary;
  /** One allocate plus its release. */
  readonly pair: Summary;
}

export interface AllocationBench {
  readonly timings: readonly AllocationTiming[];
  /** Wall time of creating all the live allocations, one transaction each. */
  readonly fillMs: number;
  /** Allocations still in the database after everything was released (0 expected). */
  readonly leftAfter: number;
}

const elapsedMs = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e6;

async function timePairs(allocator: IdAllocator, live: number, pairs: number, warmup: number): Promise<AllocationTiming> {
  const allocateMs: number[] = [];
  const releaseMs: number[] = [];
  for (let i = 0; i < warmup + pairs; i++) {
    let startNs = process.hrtime.bigint();
    const allocation = await allocator.allocate({ containerId: `bench-pair-${i}` });
    const allocated = elapsedMs(startNs);
    startNs = process.hrtime.bigint();
    allocation.release();
    const released = elapsedMs(startNs);
    if (i < warmup) continue;
    allocateMs.push(allocated);
    releaseMs.push(released);
  }
  return {
    live, allocate: summarize(allocateMs), release: summarize(releaseMs),
    pair: summarize(allocateMs.map((ms, i) => ms + (releaseMs[i] ?? 0))),
  };
}

/**
 * In a fresh state database under `root`, with root's default pool: times
 * `pairs` allocate+release pairs at each count in `liveCounts` (ascending),
 * filling the database up to that count with allocations held by this process.
 */
export async function timeAllocations(root: string, liveCounts: readonly number[], pairs: number, warmup: number,
  log: (line: string) => void): Promise<AllocationBench> {
  const allocator = new IdAllocator({ root, host: { isPrivileged: true, userName: 'root', subuids: [], subgids: [] } });
  const held: IdAllocation[] = [];
  const timings: AllocationTiming[] = [];
  let fillMs = 0;
  try {
    for (const live of liveCounts) {
      const startNs = process.hrtime.bigint();
      while (held.length < live) held.push(await allocator.allocate({ containerId: `bench-live-${held.length}` }));
      fillMs += elapsedMs(startNs);
      log(`allocator: ${pairs} allocate+release pairs with ${live} live allocations`);
      timings.push(await timePairs(allocator, live, pairs, warmup));
    }
  } finally {
    for (const allocation of held) allocation.release();
  }
  const leftAfter = (await allocator.list()).allocations.length;
  await allocator.close();
  return { timings, fillMs, leftAfter };
}
