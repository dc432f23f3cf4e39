/**
 * `--userns=auto`: every container gets a block of host ids that no other live
 * container holds. The choice (userns/) and its record (state/) happen in one
 * BEGIN IMMEDIATE transaction, so concurrent isola processes never pick the same
 * block. A block is released when its container ends; one whose holders all died
 * without releasing it is collected by a later allocation.
 */
import { IsolaError } from '../errors/index.ts';
import {
  blockIdMaps, callerIdPool, checkBlockSize, chooseIdBlock, measureIdPool, readSubidFile, rootIdPool,
  SUBGID_FILE, SUBUID_FILE, type IdBlock, type IdMaps, type IdPool, type SubidRange,
} from '../userns/index.ts';
import type { HostContext } from '../runtime/index.ts';
import {
  deleteIdAllocation, insertIdAllocation, isPidGone, isProcessGone, listIdAllocations, openStateDb, readProcessIdentity, readSelfIdentity,
  setIdAllocationMonitor, type IdAllocationRecord, type ProcessIdentity, type StateDb,
} from './state/index.ts';

export type PoolHost = Pick<HostContext, 'isPrivileged' | 'userName' | 'subuids' | 'subgids'>;

/** A block held for one container until `release()`. */
export interface IdAllocation {
  readonly block: IdBlock;
  /** `0:hostUid:size` and `0:hostGid:size`. */
  readonly idMaps: IdMaps;
  /**
   * Adds the container's monitor as a holder, so the block stays taken while the
   * container runs even if this process dies. Best effort: see the body.
   */
  recordMonitor(pid: number): Promise<void>;
  /** Frees the block; later calls do nothing. @throws StateError when the database stays locked. */
  release(): void;
}

export interface IdAllocatorOptions {
  /** The engine's root: the state database is `<root>/state.db`. */
  readonly root: string;
  /** The caller, or a function reading it when the pool is first needed. */
  readonly host: PoolHost | (() => Promise<PoolHost>);
  /** Root's pool from the configuration file, instead of the isola entry or the default. */
  readonly configuredPool?: SubidRange | undefined;
  /** @default { uidFile: '/etc/subuid', gidFile: '/etc/subgid' } */
  readonly subidFiles?: { readonly uidFile: string; readonly gidFile: string } | undefined;
}

export interface IdAllocationInfo {
  readonly containerId: string | undefined;
  readonly hostUid: number;
  readonly hostGid: number;
  readonly size: number;
  /** When it was allocated, in milliseconds since the epoch. */
  readonly sinceMs: number;
}

export interface IdPoolReport extends Pick<IdPool, 'source' | 'uids' | 'gids'> {
  /** The default size of a container's block, which `blocks` and `freeBlocks` count in. */
  readonly blockSize: number;
  readonly blocks: number;
  readonly freeBlocks: number;
}

export interface IdAllocationsReport {
  /** Live allocations, lowest host uid first. */
  readonly allocations: readonly IdAllocationInfo[];
  readonly pool: IdPoolReport;
}

/** Held by processes that have all ended. A row without holders belongs to its container. */
function isAbandonedByPid(row: IdAllocationRecord): boolean {
  return row.holders.length > 0 && row.holders.every((holder) => isPidGone(holder.pid));
}

/** Like isAbandonedByPid, but also catches a holder pid recycled by another process: one /proc read per holder. */
async function findAbandoned(rows: readonly IdAllocationRecord[]): Promise<Set<number>> {
  const verdicts = await Promise.all(rows.map(async (row) =>
    row.holders.length > 0 && (await Promise.all(row.holders.map(isProcessGone))).every(Boolean)));
  return new Set(rows.filter((_, i) => verdicts[i]).map((row) => row.id));
}

export class IdAllocator {
  readonly #options: IdAllocatorOptions;
  #db: Promise<StateDb> | undefined;
  #pool: Promise<IdPool> | undefined;
  #self: Promise<ProcessIdentity> | undefined;

  constructor(options: IdAllocatorOptions) {
    this.#options = options;
  }

  /**
   * Opens the database and reads the pool and this process's identity, so a later
   * allocate() is one short transaction: the engine overlaps this with other set-up.
   * Allocates nothing. @throws what allocate() throws about the pool and the database.
   */
  async prepare(): Promise<void> {
    await Promise.all([this.#openDb(), this.#readPool(), this.#readSelf()]);
  }

  /**
   * Allocates a block of `size` ids (the pool's default size when undefined).
   * @throws UsernsError ISOLA_USERNS_RANGE_EXHAUSTED, _SIZE_TOO_LARGE, _NO_SUBIDS, _POOL_INCOMPLETE,
   *   _SUBID_MALFORMED; InvalidOptionError for a bad size; StateError when the database fails.
   */
  async allocate(request: { readonly size?: number | undefined; readonly containerId?: string | undefined } = {}): Promise<IdAllocation> {
    const [db, pool, holder] = await Promise.all([this.#openDb(), this.#readPool(), this.#readSelf()]);
    const size = request.size ?? pool.defaultSize;
    checkBlockSize(size);
    const record = { containerId: request.containerId, size, holder };
    let result: { id: number; block: IdBlock };
    try {
      result = this.#allocateIn(db, pool, record, new Set());
    } catch (error) {
      // The quick pass collects holders that are gone; only when the pool looks full is it
      // worth a /proc read per holder to find pids that were recycled.
      if ((error as { code?: string }).code !== 'ISOLA_USERNS_RANGE_EXHAUSTED') throw error;
      const abandoned = await findAbandoned(listIdAllocations(db));
      if (abandoned.size === 0) throw error;
      result = this.#allocateIn(db, pool, record, abandoned);
    }
    return this.#handle(db, result.id, result.block);
  }

  /** Live allocations and the pool's use; collects abandoned allocations on the way. */
  async list(): Promise<IdAllocationsReport> {
    const [db, pool] = await Promise.all([this.#openDb(), this.#readPool()]);
    const rows = listIdAllocations(db);
    const abandoned = await findAbandoned(rows);
    if (abandoned.size > 0) db.immediate(() => { for (const id of abandoned) deleteIdAllocation(db, id); });
    const live = rows.filter((row) => !abandoned.has(row.id));
    return {
      allocations: live.map((row) => ({ containerId: row.containerId, hostUid: row.hostUid, hostGid: row.hostGid, size: row.size, sinceMs: row.createdMs })),
      pool: { source: pool.source, uids: pool.uids, gids: pool.gids, ...measureIdPool(pool, live) },
    };
  }

  /** The state database this allocator uses, opened on first use; shared with the engine's container records. */
  database(): Promise<StateDb> {
    return this.#openDb();
  }

  /** Closes the database, if it was opened. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db !== undefined) (await db.catch(() => undefined))?.close();
  }

  #allocateIn(db: StateDb, pool: IdPool, record: { containerId: string | undefined; size: number; holder: ProcessIdentity },
    abandoned: ReadonlySet<number>): { id: number; block: IdBlock } {
    return db.immediate(() => {
      const live: IdAllocationRecord[] = [];
      for (const row of listIdAllocations(db)) {
        if (abandoned.has(row.id) || isAbandonedByPid(row)) deleteIdAllocation(db, row.id);
        else live.push(row);
      }
      const block = chooseIdBlock(pool, live, record.size);
      const id = insertIdAllocation(db, { ...record, hostUid: block.hostUid, hostGid: block.hostGid, createdMs: Date.now() });
      return { id, block };
    });
  }

  #handle(db: StateDb, id: number, block: IdBlock): IdAllocation {
    let isReleased = false;
    return {
      block,
      idMaps: blockIdMaps(block),
      async recordMonitor(pid: number): Promise<void> {
        const monitor = await readProcessIdentity(pid);
        if (monitor === undefined || isReleased) return;
        try {
          setIdAllocationMonitor(db, id, monitor);
        } catch {
          // The row stays held by this process, which waits for the container to end:
          // only if it were killed meanwhile could the block be collected early.
        }
      },
      release(): void {
        if (isReleased) return;
        isReleased = true;
        deleteIdAllocation(db, id);
      },
    };
  }

  #openDb(): Promise<StateDb> {
    this.#db ??= openStateDb(this.#options.root).catch((error: unknown) => {
      this.#db = undefined;
      throw error;
    });
    return this.#db;
  }

  #readPool(): Promise<IdPool> {
    this.#pool ??= this.#computePool().catch((error: unknown) => {
      this.#pool = undefined;
      throw error;
    });
    return this.#pool;
  }

  async #computePool(): Promise<IdPool> {
    const host = typeof this.#options.host === 'function' ? await this.#options.host() : this.#options.host;
    const { uidFile, gidFile } = this.#options.subidFiles ?? { uidFile: SUBUID_FILE, gidFile: SUBGID_FILE };
    if (!host.isPrivileged) return callerIdPool({ user: host.userName, subuids: host.subuids, subgids: host.subgids, uidFile, gidFile });
    const [uidLines, gidLines] = await Promise.all([readSubidFile(uidFile), readSubidFile(gidFile)]);
    return rootIdPool({ uidFile, gidFile, uidLines, gidLines }, this.#options.configuredPool);
  }

  #readSelf(): Promise<ProcessIdentity> {
    this.#self ??= readSelfIdentity().then((self) => {
      if (self === undefined) {
        throw new IsolaError('ISOLA_ENGINE_PROC_UNREADABLE', `cannot read /proc/${process.pid}/stat`, { hint: 'isola needs /proc mounted' });
      }
      return self;
    });
    return this.#self;
  }
}
