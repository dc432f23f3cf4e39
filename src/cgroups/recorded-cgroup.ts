/**
 * A container's cgroup known only by its directories, as recorded by an
 * earlier process (a detached container outlives the isola that made its
 * cgroup): list, signal and remove what is in it.
 */
import { ancestorPaths, normalizeCgroupPath } from './cgroup-path.ts';
import { CgroupError } from './errors.ts';
import { createFsCgroupHost, type CgroupHost } from './host.ts';
import type { CgroupLayout } from './layout.ts';
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
  // A frozen process cannot die: thaw first (a directory without a freezer refuses the write).
  for (const dir of dirs) await host.writeFile(`${dir}/freezer.state`, 'THAWED').catch(() => {});
  for (const dir of dirs) await host.writeFile(`${dir}/cgroup.freeze`, '0').catch(() => {});
  for (const dir of dirs) await killCgroupProcs(host, dir);
  for (const dir of [...dirs].reverse()) await removeCgroupDir(host, dir, (d) => killCgroupProcs(host, d));
}

const FREEZE_POLL_MS = 5;
const FREEZE_POLLS = 400;

async function waitForText(host: CgroupHost, file: string, isDone: (text: string) => boolean): Promise<boolean> {
  for (let i = 0; i < FREEZE_POLLS; i++) {
    if (isDone(await host.readFile(file).catch(() => ''))) return true;
    await host.sleep(FREEZE_POLL_MS);
  }
  return false;
}

function freezeFailed(path: string, why: string): CgroupError {
  return new CgroupError('ISOLA_CGROUP_WRITE_FAILED', `cannot freeze cgroup ${path}: ${why}`, { path, hint: `see ${path}` });
}

/**
 * Freezes (or thaws) every process of a recorded cgroup: with cgroup.freeze
 * on a v2 directory, else in the v1 freezer hierarchy, which the container
 * joins only now (the processes are moved there, again until none is left
 * out, so a fork during the move is caught). Resolves once the kernel says
 * the change is complete.
 * @param path the cgroup's path (isola/ID), for a v1 freezer directory
 * @returns the v1 freezer directory, which the caller records and removes with the rest
 * @throws CgroupError ISOLA_CGROUP_CONTROLLER_MISSING without a freezer, ISOLA_CGROUP_WRITE_FAILED
 */
export async function setRecordedCgroupFrozen(layout: CgroupLayout, dirs: readonly string[], path: string, isFrozen: boolean,
  host: CgroupHost = createFsCgroupHost()): Promise<string | undefined> {
  const unified = layout.unifiedMount;
  const v2 = dirs.find((dir) => unified !== undefined && dir.startsWith(`${unified}/`));
  if (v2 !== undefined) {
    await host.writeFile(`${v2}/cgroup.freeze`, isFrozen ? '1' : '0');
    if (!await waitForText(host, `${v2}/cgroup.events`, (t) => t.includes(`frozen ${isFrozen ? 1 : 0}`))) throw freezeFailed(v2, 'it did not settle');
    return undefined;
  }
  const mount = layout.v1Mounts.get('freezer');
  if (mount === undefined) {
    throw new CgroupError('ISOLA_CGROUP_CONTROLLER_MISSING', 'pause needs a freezer: this host has neither cgroup v2 nor the v1 freezer',
      { controller: 'freezer', hint: 'mount the v1 freezer hierarchy, or use cgroup v2' });
  }
  const dir = `${mount}/${normalizeCgroupPath(path)}`;
  if (isFrozen) {
    for (const parent of ancestorPaths(normalizeCgroupPath(path))) await host.makeDir(`${mount}/${parent}`).catch(() => {});
    await host.makeDir(dir).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'EEXIST') throw error; });
    const others = dirs.filter((d) => d !== dir);
    for (let round = 0; round < 10; round++) {
      const inside = new Set(await readCgroupPids([dir], host));
      const outside = (await readCgroupPids(others, host)).filter((pid) => !inside.has(pid));
      if (outside.length === 0) break;
      for (const pid of outside) await host.writeFile(`${dir}/cgroup.procs`, String(pid)).catch(() => {}); // ESRCH: it exited
    }
  }
  await host.writeFile(`${dir}/freezer.state`, isFrozen ? 'FROZEN' : 'THAWED');
  if (!await waitForText(host, `${dir}/freezer.state`, (t) => t.trim() === (isFrozen ? 'FROZEN' : 'THAWED'))) throw freezeFailed(dir, 'it did not settle');
  return dir;
}

/**
 * The directories of cgroup `path` that exist in any hierarchy: finds a
 * cgroup whose maker died before it could record it.
 */
export async function findCgroupDirs(layout: CgroupLayout, path: string, host: CgroupHost = createFsCgroupHost()): Promise<string[]> {
  const mounts = new Set([...layout.v1Mounts.values(), ...(layout.unifiedMount === undefined ? [] : [layout.unifiedMount])]);
  const candidates = [...mounts].map((mount) => `${mount}/${normalizeCgroupPath(path)}`);
  const found = await Promise.all(candidates.map((dir) => host.exists(dir)));
  return candidates.filter((_, i) => found[i]);
}
