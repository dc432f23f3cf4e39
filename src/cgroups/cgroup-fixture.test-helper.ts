/**
 * A fake host for cgroup tests: /proc/self and /sys/fs/cgroup as plain files
 * in a temp dir. It mimics only what the drivers rely on from the kernel:
 * mkdir lays out a cgroup's control files, subtree_control takes `+name` for
 * names in cgroup.controllers, rmdir refuses a cgroup with processes left
 * (EBUSY), cgroup.kill and SIGKILL empty it. Writes are logged in order.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFsCgroupHost, type CgroupHost } from './host.ts';

export interface FixtureOptions {
  readonly kind: 'v1' | 'v2' | 'hybrid';
  /** v1 hierarchies, each a comma-separated controller group such as `cpu,cpuacct`. @default pids, memory, cpu */
  readonly v1Hierarchies?: readonly string[];
  /** What the cgroup2 root's cgroup.controllers lists. @default pids memory cpu for v2, none for hybrid */
  readonly unifiedControllers?: readonly string[];
  /** The kernel accounts swap (memsw files on v1, memory.swap.max on v2). @default true */
  readonly hasSwapAccounting?: boolean;
  /** mkdir fails with EACCES, as for a user without delegation. */
  readonly isReadonly?: boolean;
  /** Processes that SIGKILL and cgroup.kill do not remove. */
  readonly isUnkillable?: boolean;
  /**
   * Which I/O weight files a cgroup has: CFQ's (v1 blkio.weight and leaf
   * weights; v2 io.weight of io.cost), BFQ's (blkio.bfq.weight, io.bfq.weight)
   * or none (no proportional scheduler, as on many hosts). @default 'cfq'
   */
  readonly ioWeights?: 'cfq' | 'bfq' | 'none';
}

export interface CgroupFixture {
  readonly root: string;
  readonly host: CgroupHost;
  /** `path=value` for every write, in order. */
  readonly writes: string[];
  readonly kills: number[];
  /** Reads a file of the fake host, by its host path. */
  read(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** Puts pids into a cgroup's cgroup.procs, as processes left behind. */
  addProcs(dir: string, pids: readonly number[]): Promise<void>;
  cleanup(): Promise<void>;
}

const V1_FILES: Readonly<Record<string, readonly string[]>> = {
  pids: ['pids.max', 'pids.current'],
  memory: ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.soft_limit_in_bytes', 'memory.swappiness', 'memory.kmem.limit_in_bytes',
    'memory.kmem.tcp.limit_in_bytes', 'memory.oom_control'],
  cpu: ['cpu.cfs_period_us', 'cpu.cfs_quota_us', 'cpu.shares', 'cpu.rt_period_us', 'cpu.rt_runtime_us'],
  cpuacct: ['cpuacct.usage'],
  cpuset: ['cpuset.cpus', 'cpuset.mems'],
  blkio: ['blkio.throttle.read_bps_device', 'blkio.throttle.write_bps_device', 'blkio.throttle.read_iops_device', 'blkio.throttle.write_iops_device'],
  hugetlb: ['hugetlb.2MB.limit_in_bytes', 'hugetlb.2MB.rsvd.limit_in_bytes', 'hugetlb.1GB.limit_in_bytes'],
  net_cls: ['net_cls.classid'],
  net_prio: ['net_prio.ifpriomap', 'net_prio.prioidx'],
};
const V2_FILES: Readonly<Record<string, readonly string[]>> = {
  pids: ['pids.max', 'pids.current'], memory: ['memory.max', 'memory.current', 'memory.low'], cpu: ['cpu.max', 'cpu.weight'], cpuset: ['cpuset.cpus', 'cpuset.mems'],
  io: ['io.max', 'io.stat'], hugetlb: ['hugetlb.2MB.max', 'hugetlb.1GB.max'],
};
const WEIGHT_FILES: Readonly<Record<'cfq' | 'bfq' | 'none', { readonly v1: readonly string[]; readonly v2: readonly string[] }>> = {
  cfq: { v1: ['blkio.weight', 'blkio.weight_device', 'blkio.leaf_weight', 'blkio.leaf_weight_device'], v2: ['io.weight'] },
  bfq: { v1: ['blkio.bfq.weight', 'blkio.bfq.weight_device'], v2: ['io.bfq.weight'] },
  none: { v1: [], v2: [] },
};

function mountLine(id: number, mountPoint: string, fstype: string, superOptions: string): string {
  return `${id} 31 0:${id} / ${mountPoint} rw,nosuid,nodev,noexec,relatime shared:${id} - ${fstype} ${fstype} ${superOptions}`;
}

export async function makeCgroupFixture(options: FixtureOptions): Promise<CgroupFixture> {
  const root = await mkdtemp(join(tmpdir(), 'isola-cgroup-fixture-'));
  const at = (path: string): string => join(root, path);
  const put = async (path: string, text: string): Promise<void> => {
    await mkdir(dirname(at(path)), { recursive: true });
    await writeFile(at(path), text);
  };
  const hasSwap = options.hasSwapAccounting ?? true;
  const weightFiles = WEIGHT_FILES[options.ioWeights ?? 'cfq'];
  const hierarchies = options.kind === 'v2' ? [] : options.v1Hierarchies ?? ['pids', 'memory', 'cpu'];
  const unifiedMount = options.kind === 'v2' ? '/sys/fs/cgroup' : options.kind === 'hybrid' ? '/sys/fs/cgroup/unified' : undefined;
  const unifiedControllers = options.unifiedControllers ?? (options.kind === 'v2' ? ['pids', 'memory', 'cpu'] : []);
  /** mount point -> controllers, for mkdir's template. */
  const v1ByMount = new Map(hierarchies.map((group) => [`/sys/fs/cgroup/${group}`, group.split(',')]));

  const lines = ['22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/root rw'];
  const selfLines: string[] = [];
  for (const [i, [mount, controllers]] of [...v1ByMount].entries()) {
    lines.push(mountLine(40 + i, mount, 'cgroup', `rw,${controllers.join(',')}`));
    selfLines.push(`${i + 1}:${controllers.join(',')}:/`);
    await put(`${mount}/cgroup.procs`, '1\n');
    if (controllers.includes('cpuset')) {
      await put(`${mount}/cpuset.cpus`, '0-3\n');
      await put(`${mount}/cpuset.mems`, '0\n');
    }
    if (controllers.includes('memory') && hasSwap) await put(`${mount}/memory.memsw.limit_in_bytes`, '9223372036854771712\n');
  }
  if (unifiedMount !== undefined) {
    lines.push(mountLine(60, unifiedMount, 'cgroup2', 'rw,nsdelegate'));
    selfLines.push('0::/user.slice/session-1.scope');
    await put(`${unifiedMount}/cgroup.controllers`, `${unifiedControllers.join(' ')}\n`);
    await put(`${unifiedMount}/cgroup.subtree_control`, '');
    await put(`${unifiedMount}/cgroup.procs`, '1\n');
  }
  await put('/proc/self/mountinfo', `${lines.join('\n')}\n`);
  await put('/proc/self/cgroup', `${selfLines.join('\n')}\n`);

  const writes: string[] = [];
  const kills: number[] = [];
  const real = createFsCgroupHost(root);
  const exists = (path: string): Promise<boolean> => access(at(path)).then(() => true, () => false);
  const errno = (code: string): Error => Object.assign(new Error(code), { code });

  const layOutCgroup = async (dir: string): Promise<void> => {
    const v1Mount = [...v1ByMount.keys()].find((m) => dir.startsWith(`${m}/`));
    const files = ['cgroup.procs'];
    if (v1Mount !== undefined) {
      for (const name of v1ByMount.get(v1Mount) ?? []) files.push(...V1_FILES[name] ?? []);
      if (v1ByMount.get(v1Mount)?.includes('blkio') === true) files.push(...weightFiles.v1);
      if (await exists(`${v1Mount}/memory.memsw.limit_in_bytes`)) files.push('memory.memsw.limit_in_bytes');
    } else {
      const enabled = (await readFile(at(`${dirname(dir)}/cgroup.subtree_control`), 'utf8')).split(/\s+/).filter((n) => n !== '');
      await writeFile(at(`${dir}/cgroup.controllers`), enabled.join(' '));
      files.push('cgroup.subtree_control', 'cgroup.kill');
      for (const name of enabled) files.push(...V2_FILES[name] ?? []);
      if (enabled.includes('io')) files.push(...weightFiles.v2);
      if (enabled.includes('memory') && hasSwap) files.push('memory.swap.max');
    }
    for (const file of files) await writeFile(at(`${dir}/${file}`), '');
  };

  const host: CgroupHost = {
    ...real,
    makeDir: async (path) => {
      if (options.isReadonly === true) throw errno('EACCES');
      await real.makeDir(path);
      await layOutCgroup(path);
    },
    writeFile: async (path, text) => {
      writes.push(`${path}=${text}`);
      if (path.endsWith('/cgroup.subtree_control')) {
        const available = (await real.readFile(`${dirname(path)}/cgroup.controllers`)).split(/\s+/);
        const name = text.slice(1);
        if (!available.includes(name)) throw errno('ENOENT');
        const enabled = (await real.readFile(path)).split(/\s+/).filter((n) => n !== '');
        await real.writeFile(path, [...enabled, name].join(' '));
        return;
      }
      if (path.endsWith('/cgroup.kill') && options.isUnkillable !== true) await real.writeFile(`${dirname(path)}/cgroup.procs`, '');
      await real.writeFile(path, text);
    },
    removeDir: async (path) => {
      const procs = (await real.readFile(`${path}/cgroup.procs`).catch(() => undefined));
      if (procs === undefined) throw errno('ENOENT');
      const left = procs.split('\n').filter((p) => p !== '' && (options.isUnkillable === true || !kills.includes(Number(p))));
      if (left.length > 0) throw errno('EBUSY');
      const children = (await readdir(at(path), { withFileTypes: true })).filter((e) => e.isDirectory());
      if (children.length > 0) throw errno('EBUSY');
      await rm(at(path), { recursive: true });
    },
    killProcess: (pid) => { kills.push(pid); },
    sleep: async () => {},
  };
  return {
    root, host, writes, kills,
    read: (path) => readFile(at(path), 'utf8'),
    exists,
    addProcs: (dir, pids) => writeFile(at(`${dir}/cgroup.procs`), pids.map((p) => `${p}\n`).join('')),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
