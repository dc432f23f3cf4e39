/**
 * The file steps both cgroup versions share: making a cgroup directory and
 * writing one control file, each failure turned into a CgroupError that
 * names the path.
 */
import { CgroupError, fsErrorCode, isPermissionError } from './errors.ts';
import type { CgroupHost } from './host.ts';

function notWritable(dir: string, error: unknown, selfPath: string | undefined): CgroupError {
  const where = selfPath === undefined ? '' : ` (isola runs in cgroup ${selfPath})`;
  return new CgroupError('ISOLA_CGROUP_NOT_WRITABLE', `cannot create cgroup ${dir}: ${fsErrorCode(error) ?? 'refused'}`, {
    path: dir, cause: error,
    hint: `creating cgroups needs root or a cgroup delegated to this user${where}: run as root, or without resource limits`,
  });
}

/** mkdir a shared parent such as `isola`; one that exists (made by another container) is fine. */
export async function ensureParentDir(host: CgroupHost, dir: string, selfPath: string | undefined): Promise<void> {
  try {
    await host.makeDir(dir);
  } catch (error) {
    if (fsErrorCode(error) === 'EEXIST') return;
    if (isPermissionError(error)) throw notWritable(dir, error, selfPath);
    throw new CgroupError('ISOLA_CGROUP_CREATE_FAILED', `cannot create cgroup ${dir}: ${fsErrorCode(error) ?? String(error)}`, { path: dir, cause: error });
  }
}

/** mkdir the container's own cgroup: it must not exist yet. */
export async function makeLeafDir(host: CgroupHost, dir: string, selfPath: string | undefined): Promise<void> {
  try {
    await host.makeDir(dir);
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'EEXIST') {
      throw new CgroupError('ISOLA_CGROUP_EXISTS', `cgroup ${dir} already exists`,
        { path: dir, cause: error, hint: `another container uses this cgroup path, or one was left behind: rmdir ${dir}` });
    }
    if (isPermissionError(error)) throw notWritable(dir, error, selfPath);
    const hint = code === 'EAGAIN' || code === 'ENOSPC' ? 'the hierarchy allows no more cgroups here: see cgroup.max.descendants and cgroup.max.depth' : undefined;
    throw new CgroupError('ISOLA_CGROUP_CREATE_FAILED', `cannot create cgroup ${dir}: ${code ?? String(error)}`, { path: dir, cause: error, hint });
  }
}

export async function writeCgroupFile(host: CgroupHost, file: string, value: string, controller: string): Promise<void> {
  try {
    await host.writeFile(file, value);
  } catch (error) {
    const code = fsErrorCode(error);
    const hint = code === 'EINVAL' || code === 'EBUSY' || code === 'ERANGE'
      ? `the kernel refused ${JSON.stringify(value)}: choose another ${controller} limit`
      : undefined;
    throw new CgroupError('ISOLA_CGROUP_WRITE_FAILED', `cannot write ${JSON.stringify(value)} to ${file}: ${code ?? String(error)}`,
      { controller, path: file, cause: error, hint });
  }
}

/** The first of `names` that exists in `dir`, or undefined (a control file the kernel does not offer). */
export async function firstExistingFile(host: CgroupHost, dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) if (await host.exists(`${dir}/${name}`)) return `${dir}/${name}`;
  return undefined;
}

/** A limit whose control file this kernel does not offer, though the controller is there. */
export function limitUnavailable(controller: string, message: string, hint: string): CgroupError {
  return new CgroupError('ISOLA_CGROUP_LIMIT_UNAVAILABLE', `${controller} limit: ${message}`, { controller, hint });
}
