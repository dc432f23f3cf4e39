/**
 * `kill`, `stop` and `wait`. Signals go to the container's first process
 * (its pid 1) by host pid, only while that pid is still the recorded process
 * (pid and start time), so a recycled pid is never signalled. SIGKILL of a
 * pid namespace's init takes every process in it down.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { readCgroupPids } from '../../cgroups/index.ts';
import { getContainer, isProcessGone, updateContainer, type ContainerRecord, type StateDb } from '../state/index.ts';
import { ContainerError, invalidState } from './errors.ts';
import { isGone } from './liveness.ts';
import { refreshContainer } from './refresh.ts';
import { unpauseContainer } from './pause.ts';

const POLL_MS = 50;

function isRunning(record: ContainerRecord): boolean {
  return record.state === 'running' || record.state === 'paused';
}

async function sendSignal(record: ContainerRecord, signal: number): Promise<void> {
  if (record.process === undefined || await isProcessGone(record.process)) return;
  try {
    process.kill(record.process.pid, signal);
  } catch {
    // ESRCH: it exited since the check, which a caller waiting for the exit sees next.
  }
}

/** SIGKILL to everything in its cgroup: what a pid namespace did not take down with its init. */
async function killCgroup(record: ContainerRecord): Promise<void> {
  for (const pid of await readCgroupPids(record.cgroupDirs)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Waits until the monitor (which runs the cleanup command last) is gone, at most `timeoutMs`. */
async function waitForMonitor(record: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!await isGone(record.monitor)) {
    if (Date.now() > deadline) return false;
    await delay(POLL_MS);
  }
  return true;
}

/** @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless it runs. */
export async function killContainer(db: StateDb, record: ContainerRecord, signal: number): Promise<void> {
  const current = await refreshContainer(db, record);
  if (!isRunning(current)) throw invalidState(record.name, current.state, 'kill', 'start it first');
  await sendSignal(current, signal);
}

/**
 * Sends `signal`, then SIGKILL after `timeoutMs`; resolves once the container
 * has exited and its monitor has cleaned up. A container that is not running
 * is left as it is.
 * @throws ContainerError ISOLA_CONTAINER_STOP_FAILED when it survives SIGKILL.
 */
export async function stopContainer(db: StateDb, record: ContainerRecord, signal: number, timeoutMs: number): Promise<ContainerRecord> {
  // First, whatever its state: a restart policy must not bring it back,
  // also when it is between two runs.
  updateContainer(db, record.id, ['creating', 'created', 'starting', 'running', 'paused', 'stopped'], { stop_requested: 1 });
  let current = await refreshContainer(db, record);
  // A restart in progress: stop what it starts.
  for (let i = 0; i < 200 && current.state === 'starting'; i++) {
    await delay(POLL_MS);
    current = await refreshContainer(db, getContainer(db, record.id) ?? current);
  }
  if (!isRunning(current)) return current;
  // A frozen process takes no signal, not even SIGKILL, until thawed.
  if (current.state === 'paused') current = await unpauseContainer(db, current);
  if (timeoutMs > 0) {
    await sendSignal(current, signal);
    await waitForMonitor(current, timeoutMs);
  }
  current = await refreshContainer(db, current);
  if (isRunning(current)) {
    await sendSignal(current, 9);
    await killCgroup(current);
    if (!await waitForMonitor(current, 10_000)) {
      throw new ContainerError('ISOLA_CONTAINER_STOP_FAILED', `container ${record.name} is still running after SIGKILL`, record.name,
        { hint: `its monitor is pid ${current.monitor?.pid ?? '?'}: see its state in /proc` });
    }
  }
  // The cleanup command may still be finishing after the monitor's exit file.
  await waitForMonitor(current, 10_000);
  return refreshContainer(db, getContainer(db, current.id) ?? current);
}

/**
 * Resolves with the exit status once the container has stopped and been
 * cleaned up (undefined when it is unknown: its monitor died).
 * @throws ContainerError ISOLA_CONTAINER_NOT_FOUND when it is removed meanwhile.
 */
export async function waitForContainer(db: StateDb, record: ContainerRecord, signal?: AbortSignal): Promise<number | undefined> {
  let current: ContainerRecord | undefined = record;
  for (;;) {
    signal?.throwIfAborted();
    current = getContainer(db, record.id);
    if (current === undefined) {
      throw new ContainerError('ISOLA_CONTAINER_NOT_FOUND', `container ${record.name} was removed while waiting for it`, record.name);
    }
    current = await refreshContainer(db, current);
    if (current.state === 'stopped' && await isGone(current.monitor)) return current.exitCode;
    await delay(POLL_MS * 2);
  }
}
