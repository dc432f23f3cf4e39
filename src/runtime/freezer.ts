/**
 * pause/resume: the cgroup freezer. On cgroup v2 every cgroup has
 * cgroup.freeze; on v1 the freezer is a hierarchy of its own, which the
 * runtime joins the container to at create time (the limits code does not
 * know it).
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsolaError } from '../errors/index.ts';
import type { CgroupLayout } from '../cgroups/index.ts';

/** The v1 freezer directory for a cgroup path, made now; undefined without a v1 freezer. */
export async function makeV1FreezerDir(layout: CgroupLayout, path: string): Promise<string | undefined> {
  const mount = layout.v1Mounts.get('freezer');
  if (mount === undefined) return undefined;
  const dir = `${mount}/${path.split('/').filter((s) => s !== '').join('/')}`;
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeFreezerDir(dir: string): Promise<void> {
  await rmdir(dir).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error; });
}

/** Freezes (or thaws) every process of the container and waits until the kernel says it is done. */
export async function setFrozen(dirs: readonly string[], isFrozen: boolean, id: string): Promise<void> {
  const v1 = dirs.find((dir) => dir.includes('/freezer/'));
  if (v1 !== undefined) {
    await writeFile(`${v1}/freezer.state`, isFrozen ? 'FROZEN' : 'THAWED');
    // FREEZING until every task stopped.
    for (let i = 0; i < 1000 && (await readFile(`${v1}/freezer.state`, 'utf8')).trim() === 'FREEZING'; i++) await sleep(1);
    return;
  }
  for (const dir of dirs) {
    const ok = await writeFile(`${dir}/cgroup.freeze`, isFrozen ? '1' : '0', { flag: 'r+' }).then(() => true, () => false);
    if (ok) return;
  }
  throw new IsolaError('ISOLA_RUNTIME_NO_FREEZER', `container ${id} has no cgroup with a freezer`,
    { hint: 'pause needs the v1 freezer hierarchy or cgroup v2, and a cgroup the runtime may write' });
}
