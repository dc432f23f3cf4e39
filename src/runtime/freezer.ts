/**
 * pause/resume: the cgroup freezer. On cgroup v2 every cgroup has
 * cgroup.freeze; on v1 the freezer is a hierarchy of its own, which the
 * runtime joins the container to at create time (the limits code does not
 * know it).
 *
 * The calls are synchronous: cgroupfs answers from memory in microseconds,
 * where a promise call costs a thread-pool round trip (and create makes the
 * v1 directory on every container's start path).
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { IsolaError } from '../errors/index.ts';
import type { CgroupLayout } from '../cgroups/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms); });

/** The v1 freezer directory for a cgroup path, made now; undefined without a v1 freezer. */
export async function makeV1FreezerDir(layout: CgroupLayout, path: string): Promise<string | undefined> {
  const mount = layout.v1Mounts.get('freezer');
  if (mount === undefined) return undefined;
  const dir = `${mount}/${path.split('/').filter((s) => s !== '').join('/')}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function removeFreezerDir(dir: string): Promise<void> {
  try {
    rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Freezes (or thaws) every process of the container and waits until the kernel says it is done. */
export async function setFrozen(dirs: readonly string[], isFrozen: boolean, id: string): Promise<void> {
  const v1 = dirs.find((dir) => dir.includes('/freezer/'));
  if (v1 !== undefined) {
    writeFileSync(`${v1}/freezer.state`, isFrozen ? 'FROZEN' : 'THAWED');
    // FREEZING until every task stopped.
    for (let i = 0; i < 1000 && readFileSync(`${v1}/freezer.state`, 'utf8').trim() === 'FREEZING'; i++) await sleep(1);
    return;
  }
  for (const dir of dirs) {
    try {
      writeFileSync(`${dir}/cgroup.freeze`, isFrozen ? '1' : '0', { flag: 'r+' });
      return;
    } catch {
      // Not this one's: try the next directory.
    }
  }
  throw new IsolaError('ISOLA_RUNTIME_NO_FREEZER', `container ${id} has no cgroup with a freezer`,
    { hint: 'pause needs the v1 freezer hierarchy or cgroup v2, and a cgroup the runtime may write' });
}
