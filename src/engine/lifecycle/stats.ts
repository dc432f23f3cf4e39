/**
 * `stats`: CPU, memory and pids of a container, from its cgroup's process
 * list and /proc. CPU time and resident memory are summed over its processes
 * (the cgroup of a detached container holds at least the pids controller,
 * not always memory or cpuacct); pids is the number of tasks in it.
 */
import { readFile } from 'node:fs/promises';
import type { ContainerInfo } from './container-info.ts';
import { containerPids } from './container-pids.ts';

export interface ContainerStats {
  readonly id: string;
  readonly name: string;
  /** CPU time of its live processes, in seconds. */
  readonly cpuSec: number;
  /** That CPU time over the time since the container started, in percent of one CPU. */
  readonly cpuPercent: number;
  /** Resident memory of its processes, in bytes (pages shared between them counted once each). */
  readonly memoryBytes: number;
  /** Processes and threads. */
  readonly pids: number;
}

/** USER_HZ and the page size Linux uses on every architecture isola runs on. */
const CLOCK_TICKS_PER_SEC = 100;
const PAGE_BYTES = 4096;

async function processUsage(pid: number): Promise<{ ticks: number; rssPages: number; threads: number }> {
  const [stat, statm] = await Promise.all([readFile(`/proc/${pid}/stat`, 'latin1'), readFile(`/proc/${pid}/statm`, 'latin1')]
    .map((p) => p.catch(() => '')));
  const fields = stat!.slice(stat!.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15, num_threads 20 (counted from field 3 after the ')').
  return { ticks: Number(fields[11] ?? 0) + Number(fields[12] ?? 0), rssPages: Number(statm!.split(' ')[1] ?? 0), threads: Number(fields[17] ?? 0) };
}

export async function readContainerStats(info: ContainerInfo, nowMs: number): Promise<ContainerStats> {
  const pids = await containerPids(info);
  const usage = await Promise.all(pids.map(processUsage));
  const cpuSec = usage.reduce((sum, u) => sum + u.ticks, 0) / CLOCK_TICKS_PER_SEC;
  const elapsedSec = info.startedMs === undefined ? 0 : (nowMs - info.startedMs) / 1000;
  return {
    id: info.id, name: info.name, cpuSec, cpuPercent: elapsedSec > 0 ? (100 * cpuSec) / elapsedSec : 0,
    memoryBytes: usage.reduce((sum, u) => sum + u.rssPages, 0) * PAGE_BYTES,
    pids: usage.reduce((sum, u) => sum + u.threads, 0),
  };
}
