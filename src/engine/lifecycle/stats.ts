/**
 * `stats`: CPU, memory and pids of a container. Each figure comes from the
 * cgroup's own counter when its controller is there (memory.current or
 * memory.usage_in_bytes, cpu.stat or cpuacct.usage, pids.current): that
 * counts what the kernel charges, page cache included, and processes that
 * already exited. A detached container's cgroup holds at least pids, not
 * always memory or cpu (joining them costs start time on v1), so without one
 * the figure is summed over its live processes from /proc.
 */
import { readFile } from 'node:fs/promises';
import type { ContainerInfo } from './container-info.ts';
import { containerPids } from './container-pids.ts';

export interface ContainerStats {
  readonly id: string;
  readonly name: string;
  /** CPU time charged to its cgroup, or of its live processes, in seconds. */
  readonly cpuSec: number;
  /** That CPU time over the time since the container started, in percent of one CPU. */
  readonly cpuPercent: number;
  /** Memory charged to its cgroup, or the resident memory of its processes, in bytes. */
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

/** The first of `files` (under any of the cgroup dirs) that reads as a number, parsed by `parse`. */
async function cgroupCounter(dirs: readonly string[], files: readonly string[], parse: (text: string) => number | undefined): Promise<number | undefined> {
  for (const dir of dirs) {
    for (const file of files) {
      const text = await readFile(`${dir}/${file}`, 'latin1').catch(() => undefined);
      const value = text === undefined ? undefined : parse(text);
      if (value !== undefined && Number.isFinite(value)) return value;
    }
  }
  return undefined;
}

const plainNumber = (text: string): number | undefined => (/^\d+\s*$/.test(text) ? Number(text) : undefined);
/** cgroup v2 cpu.stat's usage_usec, in seconds. */
const cpuStatSec = (text: string): number | undefined => {
  const match = /^usage_usec (\d+)$/m.exec(text);
  return match === null ? undefined : Number(match[1]) / 1e6;
};

async function cgroupCpuSec(dirs: readonly string[]): Promise<number | undefined> {
  const v2 = await cgroupCounter(dirs, ['cpu.stat'], cpuStatSec);
  if (v2 !== undefined) return v2;
  const nanos = await cgroupCounter(dirs, ['cpuacct.usage'], plainNumber);
  return nanos === undefined ? undefined : nanos / 1e9;
}

export async function readContainerStats(info: ContainerInfo, nowMs: number): Promise<ContainerStats> {
  const dirs = info.cgroupDirs;
  const [pids, cgroupCpu, cgroupMemory, cgroupTasks] = await Promise.all([
    containerPids(info), cgroupCpuSec(dirs),
    cgroupCounter(dirs, ['memory.current', 'memory.usage_in_bytes'], plainNumber),
    cgroupCounter(dirs, ['pids.current'], plainNumber),
  ]);
  const usage = await Promise.all(pids.map(processUsage));
  const cpuSec = cgroupCpu ?? usage.reduce((sum, u) => sum + u.ticks, 0) / CLOCK_TICKS_PER_SEC;
  const elapsedSec = info.startedMs === undefined ? 0 : (nowMs - info.startedMs) / 1000;
  return {
    id: info.id, name: info.name, cpuSec, cpuPercent: elapsedSec > 0 ? (100 * cpuSec) / elapsedSec : 0,
    memoryBytes: cgroupMemory ?? usage.reduce((sum, u) => sum + u.rssPages, 0) * PAGE_BYTES,
    pids: cgroupTasks ?? usage.reduce((sum, u) => sum + u.threads, 0),
  };
}
