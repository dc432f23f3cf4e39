/**
 * Which cgroup hierarchies this host has, read from /proc/self/mountinfo:
 * v2 only (one cgroup2 mount), v1 only (one mount per controller or group of
 * co-mounted controllers), hybrid (v1 controllers plus a cgroup2 mount that
 * holds the controllers no v1 hierarchy took) or none. /proc/self/cgroup
 * says where this process sits in each, which errors show to a rootless
 * user whose cgroup is not delegated.
 */
import type { CgroupHost } from './host.ts';

export type CgroupLayoutKind = 'v1' | 'v2' | 'hybrid' | 'none';

export interface CgroupLayout {
  readonly kind: CgroupLayoutKind;
  /** v1 controller name (`pids`, `cpu`, ...) to the mount point of its hierarchy. */
  readonly v1Mounts: ReadonlyMap<string, string>;
  /** Mount point of the cgroup2 hierarchy, or undefined. */
  readonly unifiedMount: string | undefined;
  /** Controllers the cgroup2 root offers (its cgroup.controllers). */
  readonly unifiedControllers: readonly string[];
  /** Where this process sits: v1 controller name, or `''` for cgroup2, to its cgroup path. */
  readonly selfPaths: ReadonlyMap<string, string>;
}

export interface CgroupMount {
  readonly fstype: 'cgroup' | 'cgroup2';
  readonly mountPoint: string;
  /** v1: the controllers this hierarchy holds; cgroup2: none (see cgroup.controllers). */
  readonly controllers: readonly string[];
}

/** Super options of a v1 cgroup mount that are not controllers. */
const V1_MOUNT_FLAGS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode', 'favordynmods']);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const fstype = fields[separator + 1];
    const mountPoint = fields[4];
    if (separator < 0 || mountPoint === undefined || (fstype !== 'cgroup' && fstype !== 'cgroup2')) continue;
    const superOptions = (fields[separator + 3] ?? '').split(',');
    const controllers = fstype === 'cgroup'
      ? superOptions.filter((o) => o !== '' && !V1_MOUNT_FLAGS.has(o) && !o.includes('='))
      : [];
    mounts.push({ fstype, mountPoint: unescapeMountPath(mountPoint), controllers });
  }
  return mounts;
}

/** `4:memory:/a/b` lines to controller -> path; `0::/a` is cgroup2, keyed `''`. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    const [, controllers = '', path = ''] = match;
    for (const name of controllers === '' ? [''] : controllers.split(',')) paths.set(name, path);
  }
  return paths;
}

async function readUnifiedControllers(host: CgroupHost, mount: string | undefined): Promise<string[]> {
  if (mount === undefined) return [];
  const text = await host.readFile(`${mount}/cgroup.controllers`).catch(() => '');
  return text.split(/\s+/).filter((name) => name !== '');
}

export async function detectCgroupLayout(host: CgroupHost): Promise<CgroupLayout> {
  const [mountinfo, selfCgroup] = await Promise.all([
    host.readFile('/proc/self/mountinfo'),
    host.readFile('/proc/self/cgroup').catch(() => ''),
  ]);
  const mounts = parseCgroupMounts(mountinfo);
  const v1Mounts = new Map<string, string>();
  for (const mount of mounts) {
    // A hierarchy bind-mounted twice: the first mount is as good as any.
    for (const name of mount.controllers) if (!v1Mounts.has(name)) v1Mounts.set(name, mount.mountPoint);
  }
  const unified = mounts.filter((m) => m.fstype === 'cgroup2');
  const unifiedMount = (unified.find((m) => m.mountPoint === '/sys/fs/cgroup') ?? unified[0])?.mountPoint;
  const kind: CgroupLayoutKind = v1Mounts.size > 0
    ? (unifiedMount === undefined ? 'v1' : 'hybrid')
    : (unifiedMount === undefined ? 'none' : 'v2');
  return {
    kind, v1Mounts, unifiedMount,
    unifiedControllers: await readUnifiedControllers(host, unifiedMount),
    selfPaths: parseProcCgroup(selfCgroup),
  };
}
