/**
 * The host's view of a container, as an operator with ps and /proc has it. A
 * test tags its container with a unique `-e` entry (and its isola process with
 * a unique environment entry, which the shim inherits), then finds the
 * container's processes by that tag: no guessing by name among the processes
 * of other tests running at the same time.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HostIds {
  /** Real uid and gid as the host sees them (first field of the Uid:/Gid: lines). */
  readonly uid: number;
  readonly gid: number;
  /** The pid in each PID namespace, outermost (the host's) first. */
  readonly nsPids: readonly number[];
}

/** A `NAME=value` entry no other process has. */
export function newEnvMarker(name = 'ISOLA_TEST_MARKER'): string {
  return `${name}=${randomBytes(8).toString('hex')}`;
}

/** A vanished process or a zombie has no environment: it counts as gone. */
async function readEnviron(pid: string): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  return text.split('\0');
}

/** Host pids of the live processes whose environment holds `entry` exactly. */
export async function pidsWithEnvEntry(entry: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name) && name !== String(process.pid));
  const matches = await Promise.all(pids.map(async (pid) => (await readEnviron(pid)).includes(entry)));
  return pids.filter((_, i) => matches[i]).map(Number);
}

/**
 * Waits until exactly one process has `entry` in its environment. A `-e` entry
 * appears only once the container's command has been executed.
 */
export async function waitForPidWithEnvEntry(entry: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await pidsWithEnvEntry(entry);
    if (pids.length === 1 && pids[0] !== undefined) return pids[0];
    // Several: a short-lived child of the container's shell (`id` before
    // `exec sleep`) may not have exited yet; wait for it, within the deadline.
    if (Date.now() > deadline) {
      throw new Error(pids.length > 1 ? `several processes carry ${entry}: ${pids.join(', ')}` : `no process carried ${entry} within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

export async function readHostIds(pid: number): Promise<HostIds> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number[] => {
    const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
    if (line === undefined) throw new Error(`/proc/${pid}/status has no ${name} line`);
    return line.slice(name.length + 1).trim().split(/\s+/).map(Number);
  };
  return { uid: field('Uid')[0] ?? -1, gid: field('Gid')[0] ?? -1, nsPids: field('NSpid') };
}

/** Lines of a /proc/PID/{uid,gid}_map as [inside, outside, length] triples. */
export function parseProcIdMap(text: string): number[][] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/).map(Number));
}

/** Entries under RUNROOT/containers, where a run keeps its per-container files. */
export async function listContainerDirs(runroot: string): Promise<string[]> {
  return readdir(join(runroot, 'containers')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}

/** SIGKILL, ignoring a process that has already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: it exited by itself, which is what cleanup wanted.
  }
}
