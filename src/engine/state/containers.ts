/**
 * The containers table: one row per container that outlives a command
 * (created, or run detached). Plain reads and writes; the engine composes
 * them into transactions and decides every state change.
 */
import type { SQLInputValue } from 'node:sqlite';
import type { StateDb } from './state-db.ts';
import type { ProcessIdentity } from './process-identity.ts';

/** 'creating' and 'starting' are held by a live isola (creator); the others stand alone. */
export type ContainerState = 'creating' | 'created' | 'starting' | 'running' | 'paused' | 'stopped';

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly state: ContainerState;
  readonly rootfs: string;
  readonly command: readonly string[];
  /** The engine's options, as it stored them (JSON). */
  readonly options: string;
  /** The ID maps (JSON), once chosen. */
  readonly idMaps: string | undefined;
  readonly runDir: string;
  readonly cgroupDirs: readonly string[];
  readonly createdMs: number;
  readonly startedMs: number | undefined;
  readonly finishedMs: number | undefined;
  /** Exit status (128+N for signal N); undefined before the first exit or when unknown. */
  readonly exitCode: number | undefined;
  /** The container's first process, while it runs. */
  readonly process: ProcessIdentity | undefined;
  readonly monitor: ProcessIdentity | undefined;
  readonly creator: ProcessIdentity | undefined;
  readonly restartPolicy: string;
  readonly restartMax: number;
  readonly restartCount: number;
  readonly isAutoRemove: boolean;
  /** Stopped by the user since its last start: no restart policy applies. */
  readonly isStopRequested: boolean;
}

interface Row {
  id: string; name: string; state: ContainerState; rootfs: string; command: string; options: string;
  id_maps: string | null; run_dir: string; cgroup_dirs: string; created_ms: number; started_ms: number | null;
  finished_ms: number | null; exit_code: number | null; pid: number | null; pid_start_time: number | null;
  monitor_pid: number | null; monitor_start_time: number | null; creator_pid: number | null; creator_start_time: number | null;
  restart_policy: string; restart_max: number; restart_count: number; auto_remove: number;
  stop_requested: number;
}

function identity(pid: number | null, startTime: number | null): ProcessIdentity | undefined {
  return pid === null || startTime === null ? undefined : { pid, startTime };
}

function toRecord(row: Row): ContainerRecord {
  return {
    id: row.id, name: row.name, state: row.state, rootfs: row.rootfs, command: JSON.parse(row.command) as string[],
    options: row.options, idMaps: row.id_maps ?? undefined, runDir: row.run_dir,
    cgroupDirs: JSON.parse(row.cgroup_dirs) as string[], createdMs: row.created_ms, startedMs: row.started_ms ?? undefined,
    finishedMs: row.finished_ms ?? undefined, exitCode: row.exit_code ?? undefined,
    process: identity(row.pid, row.pid_start_time), monitor: identity(row.monitor_pid, row.monitor_start_time),
    creator: identity(row.creator_pid, row.creator_start_time), restartPolicy: row.restart_policy,
    restartMax: row.restart_max, restartCount: row.restart_count, isAutoRemove: row.auto_remove !== 0,
    isStopRequested: row.stop_requested !== 0,
  };
}

export interface NewContainer {
  readonly id: string;
  readonly name: string;
  readonly rootfs: string;
  readonly command: readonly string[];
  readonly options: string;
  readonly runDir: string;
  readonly createdMs: number;
  readonly creator: ProcessIdentity;
  readonly restartPolicy: string;
  readonly restartMax: number;
  readonly isAutoRemove: boolean;
}

/** Inserts a row in state 'creating'. @throws the SQLite constraint error when the id or name is taken. */
export function insertContainer(db: StateDb, c: NewContainer): void {
  db.run(`INSERT INTO containers (id, name, state, rootfs, command, options, run_dir, created_ms, creator_pid, creator_start_time,
      restart_policy, restart_max, auto_remove) VALUES (?, ?, 'creating', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  c.id, c.name, c.rootfs, JSON.stringify(c.command), c.options, c.runDir, c.createdMs, c.creator.pid, c.creator.startTime,
  c.restartPolicy, c.restartMax, c.isAutoRemove ? 1 : 0);
}

export function isNameTaken(db: StateDb, name: string): boolean {
  return db.statement('SELECT 1 FROM containers WHERE name = ?').get(name) !== undefined;
}

export function listContainers(db: StateDb): ContainerRecord[] {
  return (db.statement('SELECT * FROM containers ORDER BY created_ms, id').all() as unknown as Row[]).map(toRecord);
}

/** By full id, unique id prefix or name; undefined when none or several match. */
export function findContainer(db: StateDb, ref: string): ContainerRecord | undefined {
  const byName = db.statement('SELECT * FROM containers WHERE name = ? OR id = ?').get(ref, ref) as Row | undefined;
  if (byName !== undefined) return toRecord(byName);
  if (!/^[0-9a-f]{1,64}$/.test(ref)) return undefined;
  const rows = db.statement('SELECT * FROM containers WHERE id >= ? AND id < ? LIMIT 2').all(ref, `${ref}g`) as unknown as Row[];
  return rows.length === 1 ? toRecord(rows[0]!) : undefined;
}

export function getContainer(db: StateDb, id: string): ContainerRecord | undefined {
  const row = db.statement('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
  return row === undefined ? undefined : toRecord(row);
}

/** The columns a state change may set (snake_case, as in the table). */
export interface ContainerChange {
  readonly state?: ContainerState;
  readonly name?: string;
  readonly id_maps?: string;
  readonly cgroup_dirs?: string;
  readonly started_ms?: number | null;
  readonly finished_ms?: number | null;
  readonly exit_code?: number | null;
  readonly pid?: number | null;
  readonly pid_start_time?: number | null;
  readonly monitor_pid?: number | null;
  readonly monitor_start_time?: number | null;
  readonly creator_pid?: number | null;
  readonly creator_start_time?: number | null;
  readonly restart_count?: number;
  readonly stop_requested?: number;
}

/**
 * Applies `change` when the row is still in one of `fromStates` (a compare
 * and set: two processes repairing the same container change it once).
 * @returns whether the row changed.
 */
export function updateContainer(db: StateDb, id: string, fromStates: readonly ContainerState[], change: ContainerChange): boolean {
  const columns = Object.keys(change);
  if (columns.length === 0) return false;
  const values = Object.values(change) as SQLInputValue[];
  const states = fromStates.map(() => '?').join(', ');
  return db.run(`UPDATE containers SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND state IN (${states})`,
    ...values, id, ...fromStates) > 0;
}

/** Frees the host ids allocated for the container (its maps were never recorded). */
export function releaseContainerIds(db: StateDb, id: string): void {
  db.run('DELETE FROM id_allocations WHERE container_id = ?', id);
}

/** Deletes the container and the host ids it holds. */
export function deleteContainer(db: StateDb, id: string): void {
  db.run('DELETE FROM id_allocations WHERE container_id = ?', id);
  db.run('DELETE FROM containers WHERE id = ?', id);
}
