/**
 * A config's `cgroup` mount (podman and containerd ask for one at
 * /sys/fs/cgroup) as the container's own cgroups, bound read-only: a fresh
 * cgroup filesystem mount is refused on a v1 or hybrid host (EBUSY: the
 * hierarchies are mounted already with other options) and in a user
 * namespace without a cgroup namespace. On a v1 or hybrid host the target is
 * a tmpfs holding one directory per hierarchy, as runc lays it out.
 */
import { posix } from 'node:path';
import type { PlanMount } from '../launch/index.ts';
import type { CgroupLayout } from '../cgroups/index.ts';

const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;
const ATTR_RDONLY_NOSUID_NODEV_NOEXEC = 0x1 | 0x2 | 0x4 | 0x8;

export function isCgroupMount(mount: PlanMount): boolean {
  return !mount.isBind && (mount.fstype === 'cgroup' || mount.fstype === 'cgroup2');
}

function bind(source: string, destination: string): PlanMount {
  return {
    source, destination, fstype: '', flags: 0, data: '', isBind: true, isRecursive: false, createTarget: 'dir',
    isPrecreated: false, attrSet: ATTR_RDONLY_NOSUID_NODEV_NOEXEC, propagation: 0,
  };
}

/** The mount point a cgroup directory lies under, from the layout. */
function hierarchyOf(dir: string, layout: CgroupLayout): string | undefined {
  const mounts = [...layout.v1Mounts.values(), ...(layout.unifiedMount === undefined ? [] : [layout.unifiedMount])];
  return mounts.filter((m) => dir.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
}

/** The mounts that stand for one cgroup mount, given the container's cgroup directories. */
export function expandCgroupMount(mount: PlanMount, cgroupDirs: readonly string[], layout: CgroupLayout): PlanMount[] {
  const unifiedDir = cgroupDirs.find((dir) => hierarchyOf(dir, layout) === layout.unifiedMount);
  if (layout.kind === 'v2') {
    return unifiedDir === undefined ? [] : [{ ...bind(unifiedDir, mount.destination), isPrecreated: mount.isPrecreated }];
  }
  const tmpfs: PlanMount = {
    ...mount, source: 'tmpfs', fstype: 'tmpfs', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: 'mode=755', attrSet: 0,
  };
  const binds = cgroupDirs.flatMap((dir) => {
    const hierarchy = hierarchyOf(dir, layout);
    return hierarchy === undefined ? [] : [bind(dir, posix.join(mount.destination, posix.basename(hierarchy)))];
  });
  return [tmpfs, ...binds];
}
