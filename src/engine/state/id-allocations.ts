/**
 * The id_allocations table: which host ids each container holds, and which
 * processes hold the row on its behalf. Plain reads and writes; the allocator
 * composes them into transactions.
 */
import type { StateDb } from './state-db.ts';
import type { ProcessIdentity } from './process-identity.ts';

export interface IdAllocationRecord {
  readonly id: number;
  /** The container that owns the ids, once it has an id. */
  readonly containerId: string | undefined;
  readonly hostUid: number;
  readonly hostGid: number;
  readonly size: number;
  /**
   * Processes keeping the row alive: the isola that allocated it and, once the
   * container runs, its monitor. None: the container owns it until it is removed.
   */
  readonly holders: readonly ProcessIdentity[];
  /** Milliseconds since the epoch. */
  readonly createdMs: number;
}

interface Row {
  id: number;
  container_id: string | null;
  host_uid: number;
  host_gid: number;
  size: number;
  holder_pid: number | null;
  holder_start_time: number | null;
  monitor_pid: number | null;
  monitor_start_time: number | null;
  created_ms: number;
  has_container: number;
}

function identity(pid: number | null, startTime: number | null): ProcessIdentity[] {
  return pid === null || startTime === null ? [] : [{ pid, startTime }];
}

function toRecord(row: Row): IdAllocationRecord {
  return {
    id: row.id, containerId: row.container_id ?? undefined,
    hostUid: row.host_uid, hostGid: row.host_gid, size: row.size,
    // A recorded container owns its ids until it is removed, whoever made it.
    holders: row.has_container !== 0 ? []
      : [...identity(row.holder_pid, row.holder_start_time), ...identity(row.monitor_pid, row.monitor_start_time)],
    createdMs: row.created_ms,
  };
}

export function listIdAllocations(db: StateDb): IdAllocationRecord[] {
  const rows = db.statement(`SELECT a.*, EXISTS (SELECT 1 FROM containers c WHERE c.id = a.container_id) AS has_container
    FROM id_allocations a ORDER BY a.host_uid, a.id`).all() as unknown as Row[];
  return rows.map(toRecord);
}

export interface NewIdAllocation {
  readonly containerId: string | undefined;
  readonly hostUid: number;
  readonly hostGid: number;
  readonly size: number;
  readonly holder: ProcessIdentity;
  readonly createdMs: number;
}

/** @returns the new row's id. */
export function insertIdAllocation(db: StateDb, row: NewIdAllocation): number {
  const result = db.statement(`INSERT INTO id_allocations
      (container_id, host_uid, host_gid, size, holder_pid, holder_start_time, created_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .run(row.containerId ?? null, row.hostUid, row.hostGid, row.size, row.holder.pid, row.holder.startTime, row.createdMs);
  return Number(result.lastInsertRowid);
}

/** Row ids are never reused (AUTOINCREMENT), so a stale id deletes nothing. */
export function deleteIdAllocation(db: StateDb, id: number): boolean {
  return db.run('DELETE FROM id_allocations WHERE id = ?', id) > 0;
}

/** Adds the container's monitor as a holder, so the row outlives an isola that dies while the container runs. */
export function setIdAllocationMonitor(db: StateDb, id: number, monitor: ProcessIdentity): void {
  db.run('UPDATE id_allocations SET monitor_pid = ?, monitor_start_time = ? WHERE id = ?', monitor.pid, monitor.startTime, id);
}
