/**
 * The host pids of a container's processes: its cgroup's, or, without a
 * cgroup (rootless without delegation), its first process and every
 * descendant, from /proc/PID/task/TID/children.
 */
import { readCgroupPids } from '../../cgroups/index.ts';
import type { ContainerInfo } from './container-info.ts';

async function children(pid: number): Promise<number[]> {
  // Loaded on first use: this module is on `isola run`'s import path, where loading it costs milliseconds.
  const { readdir, readFile } = await import('node:fs/promises');
  const tids = await readdir(`/proc/${pid}/task`).catch(() => []);
  const lists = await Promise.all(tids.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'latin1').catch(() => '')));
  return lists.flatMap((text) => text.split(' ').filter((s) => /^\d+$/.test(s)).map(Number));
}

export async function containerPids(info: ContainerInfo): Promise<number[]> {
  if (info.cgroupDirs.length > 0) return readCgroupPids(info.cgroupDirs);
  if (info.pid === undefined) return [];
  const found = [info.pid];
  for (let i = 0; i < found.length; i++) found.push(...(await children(found[i]!)).filter((pid) => !found.includes(pid)));
  return found.sort((a, b) => a - b);
}
