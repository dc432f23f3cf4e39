/**
 * A process named so that a recycled pid cannot pass for it: its pid and its start
 * time (field 22 of /proc/PID/stat, clock ticks since boot), which a new process
 * with the same pid cannot share.
 */
import { readFileSync } from 'node:fs';
import { isPidGone } from '../../runtime/index.ts';

export { isPidGone };

export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat. */
  readonly startTime: number;
}

/**
 * The start time in a /proc/PID/stat text. The command name (field 2) is in
 * parentheses and may hold spaces and parentheses itself, so fields are counted
 * from the last ')'.
 */
export function parseProcStatStartTime(text: string): number | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  // After ')' come field 3 (state) onwards: field 22 is the 20th.
  const value = text.slice(close + 1).trim().split(/\s+/)[19];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The identity of a live process, or undefined when there is no such process. */
export async function readProcessIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  // Synchronous: a /proc read takes microseconds, where a promise read costs a thread-pool round trip.
  let text: string | undefined;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    text = undefined;
  }
  const startTime = text === undefined ? undefined : parseProcStatStartTime(text);
  return startTime === undefined ? undefined : { pid, startTime };
}

let self: Promise<ProcessIdentity | undefined> | undefined;

/** This process's identity, read once: its pid and start time never change. */
export function readSelfIdentity(): Promise<ProcessIdentity | undefined> {
  self ??= readProcessIdentity(process.pid);
  return self;
}

/** True when the process has ended, also when its pid now belongs to another process. */
export async function isProcessGone(identity: ProcessIdentity): Promise<boolean> {
  if (isPidGone(identity.pid)) return true;
  const now = await readProcessIdentity(identity.pid);
  return now === undefined || now.startTime !== identity.startTime;
}
