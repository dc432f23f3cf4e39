/**
 * The OCI runtime's state directory: one directory per container under the
 * root (`<root>/<id>/`), holding state.json (written by temp file + rename)
 * and, between create and start, the exec fifo. Status is never stored: it
 * is derived from the init's pid and start time, so a stale pid reused by
 * another process reads as stopped.
 *
 * The calls are synchronous: every isola-runtime command reads or writes a
 * few small files here, microseconds each, where a promise call costs a
 * thread-pool round trip (and node:fs/promises milliseconds to load).
 */
import { accessSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import type { OciConfig, OciState, OciStatus } from './oci-config.ts';

/** runc's rule for container ids: no path separators, nothing that needs quoting. */
const ID_PATTERN = /^[\w+\-.]+$/;

/** The spec's statuses plus runc's `paused` (a frozen cgroup). */
export type ContainerStatus = OciStatus | 'paused';

export interface ContainerRecord {
  readonly ociVersion: string;
  readonly id: string;
  /** Absolute bundle path. */
  readonly bundle: string;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  /** Host pid of the init; 0 while creating. */
  readonly pid: number;
  /** Field 22 of /proc/PID/stat when the pid was recorded. */
  readonly pidStartTime?: string | undefined;
  /**
   * With pid 0: a file the shim writes the init's pid to once it runs (a
   * `run` whose isola-runtime became the shim: oci-create.ts); readRecord
   * reads the pid from it.
   */
  readonly pidFile?: string | undefined;
  /** ISO 8601. */
  readonly created: string;
  /** Uid of whoever created it. */
  readonly owner: number;
  readonly cgroup?: { readonly dirs: readonly string[]; readonly procsFiles: readonly string[] } | undefined;
  /** The config the container was created from: exec and hooks read it later. */
  readonly config: OciConfig;
}

export class InvalidStateError extends IsolaError {
  readonly container: string;
  readonly status: ContainerStatus;
  readonly operation: string;

  constructor(container: string, status: ContainerStatus, operation: string, hint?: string) {
    super('ISOLA_RUNTIME_INVALID_STATE', `cannot ${operation} container ${container}: it is ${status}`, { hint });
    this.name = 'InvalidStateError';
    this.container = container;
    this.status = status;
    this.operation = operation;
  }
}

export function checkContainerId(id: string): void {
  if (!ID_PATTERN.test(id) || id === '.' || id === '..') {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_ID', `invalid container id ${JSON.stringify(id)}`,
      { hint: 'use letters, digits, and + - . _ only' });
  }
}

export function containerDir(root: string, id: string): string {
  return join(root, id);
}

export function execFifoPath(root: string, id: string): string {
  return join(root, id, 'exec.fifo');
}

/** Replaces state.json whole (temp file + rename), synchronously: see oci-create.ts's takeOver. */
export function writeRecord(root: string, record: ContainerRecord): void {
  const dir = containerDir(root, record.id);
  const tmp = join(dir, '.state.json.tmp');
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, join(dir, 'state.json'));
}

/** @throws IsolaError ISOLA_RUNTIME_NOT_FOUND */
export async function readRecord(root: string, id: string): Promise<ContainerRecord> {
  checkContainerId(id);
  let text: string;
  try {
    text = readFileSync(join(containerDir(root, id), 'state.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new IsolaError('ISOLA_RUNTIME_NOT_FOUND', `container ${id} does not exist`,
      { hint: `check the id with \`list\`, and that --root is ${root}` });
  }
  const record = JSON.parse(text) as ContainerRecord;
  return record.pid === 0 && record.pidFile !== undefined ? withPidFromFile(record, record.pidFile) : record;
}

/** The record with the pid its shim wrote, or as it is while there is none yet ('creating'). */
async function withPidFromFile(record: ContainerRecord, file: string): Promise<ContainerRecord> {
  const text = (readOrUndefined(file) ?? '').trim(); // not written yet: still creating
  const pid = /^\d+$/.test(text) ? Number(text) : 0;
  return pid === 0 ? record : { ...record, pid, pidStartTime: await processStartTime(pid) };
}

/** Ids of every container under the root, sorted. */
export async function listIds(root: string): Promise<string[]> {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((e) => e.isDirectory() && ID_PATTERN.test(e.name)).map((e) => e.name).sort();
}

/**
 * True when no process has this pid: a cheap check (one syscall, no file) that
 * misses only a pid recycled by another process, which a start time check (processStartTime) catches.
 */
export function isPidGone(pid: number): boolean {
  // 0 and negative pids would name process groups to kill(2): never a holder.
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The start time of a live, non-zombie process, or undefined. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (!(pid > 0)) return undefined;
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command, which may contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

export async function isRecordedProcessAlive(record: ContainerRecord): Promise<boolean> {
  const start = await processStartTime(record.pid);
  return start !== undefined && start === record.pidStartTime;
}

async function isFrozen(record: ContainerRecord): Promise<boolean> {
  for (const dir of record.cgroup?.dirs ?? []) {
    const v2 = readOrUndefined(join(dir, 'cgroup.freeze'));
    if (v2 !== undefined) return v2.trim() === '1';
  }
  const v1 = readOrUndefined(join(freezerDirOf(record) ?? '/nonexistent', 'freezer.state'));
  return v1 !== undefined && v1.trim() !== 'THAWED';
}

/** The v1 freezer directory pause uses, when the container has one. */
export function freezerDirOf(record: ContainerRecord): string | undefined {
  return record.cgroup?.dirs.find((dir) => dir.includes('/freezer/'));
}

export async function deriveStatus(root: string, record: ContainerRecord): Promise<ContainerStatus> {
  if (record.pid === 0) return 'creating';
  if (!await isRecordedProcessAlive(record)) return 'stopped';
  let hasFifo = true;
  try {
    accessSync(execFifoPath(root, record.id));
  } catch {
    hasFifo = false;
  }
  if (hasFifo) return 'created';
  return await isFrozen(record) ? 'paused' : 'running';
}

/** The state document (runtime-spec state schema; `paused` as runc reports it). */
export function toOciState(record: ContainerRecord, status: ContainerStatus): Omit<OciState, 'status'> & { status: ContainerStatus } {
  return {
    ociVersion: record.ociVersion, id: record.id, status,
    ...(status === 'stopped' || record.pid === 0 ? { pid: 0 } : { pid: record.pid }),
    bundle: record.bundle,
    ...(record.annotations === undefined ? {} : { annotations: record.annotations }),
  };
}

export async function makeRoot(root: string): Promise<void> {
  mkdirSync(root, { recursive: true, mode: 0o700 });
}
