/**
 * Removing a container's cgroup directory. rmdir fails with EBUSY while any
 * process is left in it (one the pid namespace did not take down, or the
 * init itself when the shim died first): kill them and try again, for a
 * bounded time.
 */
import { CgroupError, fsErrorCode } from './errors.ts';
import type { CgroupHost } from './host.ts';

/** Delays between attempts, in ms: about 3 s in all, enough for SIGKILLed processes to exit. */
const RETRY_DELAYS_MS = [0, 5, 10, 20, 40, 80, 160, 320, 500, 800, 1000];

/** Kills every process in `dir` through its cgroup.procs. */
export async function killCgroupProcs(host: CgroupHost, dir: string): Promise<void> {
  const text = await host.readFile(`${dir}/cgroup.procs`).catch(() => '');
  for (const line of text.split('\n')) {
    const pid = Number(line);
    if (line !== '' && Number.isSafeInteger(pid) && pid > 0) host.killProcess(pid);
  }
}

/**
 * rmdir `dir`, killing what is left in it with `killAll` between attempts.
 * A directory that is already gone counts as removed.
 * @throws CgroupError ISOLA_CGROUP_REMOVE_FAILED
 */
export async function removeCgroupDir(host: CgroupHost, dir: string, killAll: (dir: string) => Promise<void>): Promise<void> {
  let lastError: unknown;
  for (const delayMs of RETRY_DELAYS_MS) {
    if (delayMs > 0) await host.sleep(delayMs);
    try {
      await host.removeDir(dir);
      return;
    } catch (error) {
      const code = fsErrorCode(error);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') {
        throw new CgroupError('ISOLA_CGROUP_REMOVE_FAILED', `cannot remove cgroup ${dir}: ${code ?? String(error)}`,
          { path: dir, cause: error, hint: `remove it by hand: rmdir ${dir}` });
      }
      lastError = error;
      await killAll(dir);
    }
  }
  throw new CgroupError('ISOLA_CGROUP_REMOVE_FAILED', `cannot remove cgroup ${dir}: processes are still in it after SIGKILL`,
    { path: dir, cause: lastError, hint: `see ${dir}/cgroup.procs, then rmdir ${dir}` });
}

/**
 * Removes a container's cgroup directories recorded by an earlier process
 * (the OCI runtime's `delete`), deepest last made first, killing what is left.
 * @throws CgroupError ISOLA_CGROUP_REMOVE_FAILED
 */
export async function removeCgroupDirs(dirs: readonly string[], host: CgroupHost): Promise<void> {
  for (const dir of [...dirs].reverse()) await removeCgroupDir(host, dir, (d) => killCgroupProcs(host, d));
}
