/**
 * A container's cgroup known only by its directories, as recorded by an
 * earlier process (a detached container outlives the isola that made its
 * cgroup): list, signal and remove what is in it.
 */
import { createFsCgroupHost, type CgroupHost } from './host.ts';
import { killCgroupProcs, removeCgroupDir } from './remove.ts';

/** The pids in the container's cgroup (the union over its hierarchies), lowest first; none when it is gone. */
export async function readCgroupPids(dirs: readonly string[], host: CgroupHost = createFsCgroupHost()): Promise<number[]> {
  const texts = await Promise.all(dirs.map((dir) => host.readFile(`${dir}/cgroup.procs`).catch(() => '')));
  const pids = new Set<number>();
  for (const text of texts) {
    for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  return [...pids].sort((a, b) => a - b);
}

/** SIGKILLs everything in the cgroup, removes its directories; a cgroup already gone is removed. */
export async function removeRecordedCgroup(dirs: readonly string[], host: CgroupHost = createFsCgroupHost()): Promise<void> {
  for (const dir of dirs) await killCgroupProcs(host, dir);
  for (const dir of [...dirs].reverse()) await removeCgroupDir(host, dir, (d) => killCgroupProcs(host, d));
}
