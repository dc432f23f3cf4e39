/**
 * A container's cgroup path (OCI `linux.cgroupsPath`) made safe to join to a
 * hierarchy's mount point: absolute and relative paths both name a place
 * below the root, as runc and crun read them with cgroupfs.
 */
import { CgroupError } from './errors.ts';

/** `/isola/abc` or `isola/abc` to `isola/abc`. */
export function normalizeCgroupPath(path: string): string {
  if (path.includes(':')) {
    throw new CgroupError('ISOLA_CGROUP_INVALID_PATH', `cgroup path ${JSON.stringify(path)} is a systemd slice:prefix:name path`,
      { path, hint: 'isola manages cgroups itself (cgroupfs): give a path such as isola/<name>' });
  }
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..' || s.includes('\0'))) {
    throw new CgroupError('ISOLA_CGROUP_INVALID_PATH', `cgroup path ${JSON.stringify(path)} must name a cgroup below the root without . or ..`,
      { path, hint: 'give a path such as isola/<name>' });
  }
  return segments.join('/');
}

/** The paths from the first segment down to the parent of the last: `a/b/c` gives `a`, `a/b`. */
export function ancestorPaths(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
