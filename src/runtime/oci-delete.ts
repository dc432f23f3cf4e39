/**
 * `delete` and `kill`: the end of a container. delete removes what create
 * made (the cgroup, the state directory) and runs the poststop hooks; a
 * running container is refused unless forced, a created one is killed first,
 * as runc does.
 */
import { readFileSync } from 'node:fs';
import { IsolaError } from '../errors/index.ts';
import { createFsCgroupHost, removeCgroupDirs } from '../cgroups/index.ts';
import {
  containerDir, deriveStatus, InvalidStateError, isRecordedProcessAlive, readRecord, toOciState, type ContainerRecord,
} from './container-state.ts';
import { setFrozen } from './freezer.ts';
import { runLoggedHooks, type OciRuntime } from './oci-create.ts';

/** Pids in the container's cgroup (the init alone without one). */
export async function containerPids(record: ContainerRecord): Promise<number[]> {
  const pids = new Set<number>();
  for (const file of record.cgroup?.procsFiles ?? []) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // The cgroup is gone: no pids there.
    }
    for (const line of text.split('\n')) if (line !== '') pids.add(Number(line));
  }
  if (pids.size === 0 && await isRecordedProcessAlive(record)) pids.add(record.pid);
  return [...pids].sort((a, b) => a - b);
}

/** @throws IsolaError ISOLA_RUNTIME_NOT_FOUND */
export async function containerProcessIds(runtime: OciRuntime, id: string): Promise<number[]> {
  return containerPids(await readRecord(runtime.root, id));
}

/** Linux's signal number for SIGKILL, the same on every architecture. */
const SIGKILL = 9;

/** A signal as a number: `9`, `KILL` or `SIGKILL`. @throws IsolaError ISOLA_RUNTIME_INVALID_SIGNAL */
export function parseSignal(text: string): number {
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    if (number >= 1 && number <= 64) return number;
  }
  const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  // node:os loads here, not at import: oci-create.ts imports this module on run's start-up path.
  const number = (process.getBuiltinModule('node:os').constants.signals as Record<string, number | undefined>)[name];
  if (number === undefined) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_SIGNAL', `unknown signal ${JSON.stringify(text)}`, { hint: 'give a number (15) or a name (TERM, SIGTERM)' });
  }
  return number;
}

function sendSignal(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Signals the init, or with `isAll` every process in the container's cgroup.
 * @throws InvalidStateError for a stopped container
 */
export async function killContainer(runtime: OciRuntime, id: string, signal: number, isAll: boolean): Promise<void> {
  const record = await readRecord(runtime.root, id);
  const status = await deriveStatus(runtime.root, record);
  if (status === 'stopped' || status === 'creating') throw new InvalidStateError(id, status, 'kill');
  const pids = isAll ? await containerPids(record) : [record.pid];
  for (const pid of pids) sendSignal(pid, signal);
  // A frozen process only acts on the signal once thawed (runc does the same for --all).
  if (isAll && status === 'paused' && record.cgroup !== undefined) await setFrozen(record.cgroup.dirs, false, id);
}

async function waitForExit(record: ContainerRecord): Promise<void> {
  // node:timers/promises and node:fs/promises load where used: oci-create.ts imports this module on run's start-up path.
  const { setTimeout: sleep } = await import('node:timers/promises');
  for (let i = 0; i < 2000 && await isRecordedProcessAlive(record); i++) await sleep(5);
}

/** Kills what is left, removes the cgroup and state, and runs the poststop hooks. */
export async function removeContainer(runtime: OciRuntime, record: ContainerRecord,
  options: { readonly isPoststopRun: boolean } = { isPoststopRun: true }): Promise<void> {
  if (record.pid !== 0 && await isRecordedProcessAlive(record)) {
    for (const pid of await containerPids(record)) sendSignal(pid, SIGKILL);
    if (record.cgroup !== undefined) await setFrozen(record.cgroup.dirs, false, record.id).catch(() => {});
    await waitForExit(record);
  }
  if (record.cgroup !== undefined) await removeCgroupDirs(record.cgroup.dirs, createFsCgroupHost());
  if (options.isPoststopRun) await runLoggedHooks(runtime, record.config.hooks?.poststop, 'poststop', toOciState(record, 'stopped'));
  await (await import('node:fs/promises')).rm(containerDir(runtime.root, record.id), { recursive: true, force: true });
}

/**
 * @throws InvalidStateError for a running or paused container without `isForced`
 */
export async function deleteContainer(runtime: OciRuntime, id: string, isForced: boolean): Promise<void> {
  const record = await readRecord(runtime.root, id);
  const status = await deriveStatus(runtime.root, record);
  if ((status === 'running' || status === 'paused') && !isForced) {
    throw new InvalidStateError(id, status, 'delete', 'stop it first (kill), or use --force');
  }
  await removeContainer(runtime, record);
}
