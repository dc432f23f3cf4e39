/**
 * cgroup v1: one hierarchy per controller (or per group of co-mounted
 * controllers, such as cpu,cpuacct), so the container gets one directory in
 * each hierarchy it needs and its init joins all of them.
 */
import { ancestorPaths } from './cgroup-path.ts';
import { ensureParentDir, limitUnavailable, makeLeafDir, writeCgroupFile } from './cgroup-dir.ts';
import { writeV1Blkio } from './blkio.ts';
import { combineCgroups, createDriver, type CgroupBackend, type CgroupDriver, type ContainerCgroup } from './driver.ts';
import type { CgroupHost } from './host.ts';
import type { CgroupLayout } from './layout.ts';
import { CGROUP_CONTROLLERS, type CgroupController, type CgroupLimits, type CpuLimits } from './limits.ts';
import { killCgroupProcs, removeCgroupDir } from './remove.ts';

/** Writes one controller's limits into `dir`, a cgroup of the hierarchy mounted at `mount`. */
export async function writeV1Limits(host: CgroupHost, mount: string, dir: string, name: CgroupController, limits: CgroupLimits): Promise<void> {
  if (name === 'pids' && limits.pidsMax !== undefined) {
    await writeCgroupFile(host, `${dir}/pids.max`, String(limits.pidsMax), name);
  } else if (name === 'memory' && limits.memory !== undefined) {
    const memory = limits.memory;
    const write = (file: string, value: number | undefined): Promise<void> =>
      value === undefined ? Promise.resolve() : writeCgroupFile(host, `${dir}/${file}`, String(value), name);
    // A new cgroup's memsw is unlimited, so the memory limit goes first (memsw must stay >= it).
    await write('memory.limit_in_bytes', memory.limitBytes);
    // memsw exists only with swap accounting (CONFIG_MEMCG_SWAP, swapaccount=1); without it swap is not limited, as with docker.
    if (await host.exists(`${mount}/memory.memsw.limit_in_bytes`)) await write('memory.memsw.limit_in_bytes', memory.swapLimitBytes);
    await write('memory.soft_limit_in_bytes', memory.reservationBytes);
    await write('memory.swappiness', memory.swappiness);
    await write('memory.kmem.limit_in_bytes', memory.kernelBytes);
    await write('memory.kmem.tcp.limit_in_bytes', memory.kernelTcpBytes);
    if (memory.isOomKillerDisabled === true) await writeCgroupFile(host, `${dir}/memory.oom_control`, '1', name);
  } else if (name === 'cpu' && limits.cpu !== undefined) {
    if (limits.cpu.shares !== undefined) await writeCgroupFile(host, `${dir}/cpu.shares`, String(limits.cpu.shares), name);
    await writeCgroupFile(host, `${dir}/cpu.cfs_period_us`, String(limits.cpu.periodUs), name);
    if (limits.cpu.quotaUs !== undefined) await writeCgroupFile(host, `${dir}/cpu.cfs_quota_us`, String(limits.cpu.quotaUs), name);
    await writeRealtime(host, dir, limits.cpu);
  } else if (name === 'blkio' && limits.blkio !== undefined) {
    await writeV1Blkio(host, dir, limits.blkio);
  } else if (name === 'hugetlb') {
    for (const { pageSize, limitBytes } of limits.hugetlb ?? []) {
      const file = await hugetlbFile(host, dir, pageSize, 'limit_in_bytes');
      await writeCgroupFile(host, file, String(limitBytes), name);
      // Reservations count against the rsvd limit (Linux 5.7): limit both, as runc does.
      const rsvd = `${dir}/hugetlb.${pageSize}.rsvd.limit_in_bytes`;
      if (await host.exists(rsvd)) await writeCgroupFile(host, rsvd, String(limitBytes), name);
    }
  } else if (name === 'net_cls' && limits.network?.classId !== undefined) {
    await writeCgroupFile(host, `${dir}/net_cls.classid`, String(limits.network.classId), name);
  } else if (name === 'net_prio') {
    for (const { interfaceName, priority } of limits.network?.priorities ?? []) {
      await writeCgroupFile(host, `${dir}/net_prio.ifpriomap`, `${interfaceName} ${priority}`, name);
    }
  } else if (name === 'cpuset' && limits.cpuset !== undefined) {
    await inheritCpusets(host, mount, dir);
    if (limits.cpuset.cpus !== undefined) await writeCgroupFile(host, `${dir}/cpuset.cpus`, limits.cpuset.cpus, name);
    if (limits.cpuset.mems !== undefined) await writeCgroupFile(host, `${dir}/cpuset.mems`, limits.cpuset.mems, name);
  }
}

/**
 * Real-time CPU time (CONFIG_RT_GROUP_SCHED), period first as runc does. The
 * kernel refuses more runtime than the parent has left (EINVAL): the parents
 * of a nested path start with none.
 */
async function writeRealtime(host: CgroupHost, dir: string, cpu: CpuLimits): Promise<void> {
  if (cpu.realtimePeriodUs === undefined && cpu.realtimeRuntimeUs === undefined) return;
  if (!await host.exists(`${dir}/cpu.rt_runtime_us`)) {
    throw limitUnavailable('cpu', `cpu.rt_runtime_us does not exist in ${dir}: the kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED)`,
      'remove realtimeRuntime and realtimePeriod from linux.resources.cpu');
  }
  if (cpu.realtimePeriodUs !== undefined) await writeCgroupFile(host, `${dir}/cpu.rt_period_us`, String(cpu.realtimePeriodUs), 'cpu');
  if (cpu.realtimeRuntimeUs !== undefined) await writeCgroupFile(host, `${dir}/cpu.rt_runtime_us`, String(cpu.realtimeRuntimeUs), 'cpu');
}

/** hugetlb.<size>.<suffix>, which exists only for page sizes the kernel has. */
export async function hugetlbFile(host: CgroupHost, dir: string, pageSize: string, suffix: string): Promise<string> {
  const file = `${dir}/hugetlb.${pageSize}.${suffix}`;
  if (!await host.exists(file)) {
    throw limitUnavailable('hugetlb', `${file} does not exist: the kernel has no ${pageSize} huge pages`,
      'use a page size listed in /sys/kernel/mm/hugepages (hugepages-2048kB is 2MB)');
  }
  return file;
}

/**
 * A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and takes
 * no process until it has some: each one from the mount down to `dir` gets
 * its parent's.
 */
async function inheritCpusets(host: CgroupHost, mount: string, dir: string): Promise<void> {
  let parent = mount;
  for (const part of dir.slice(mount.length + 1).split('/')) {
    const child = `${parent}/${part}`;
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if ((await host.readFile(`${child}/${file}`)).trim() !== '') continue;
      await writeCgroupFile(host, `${child}/${file}`, (await host.readFile(`${parent}/${file}`)).trim(), 'cpuset');
    }
    parent = child;
  }
}

function v1Cgroup(host: CgroupHost, dir: string): ContainerCgroup {
  return {
    procsFiles: [`${dir}/cgroup.procs`], dirs: [dir],
    remove: () => removeCgroupDir(host, dir, (d) => killCgroupProcs(host, d)),
  };
}

export function createV1Backend(host: CgroupHost, layout: CgroupLayout): CgroupBackend {
  const mountOf = (name: CgroupController): string | undefined => layout.v1Mounts.get(name);
  return {
    controllers: CGROUP_CONTROLLERS.filter((name) => mountOf(name) !== undefined),
    create: async (path, controllers, limits) => {
      const parts: ContainerCgroup[] = [];
      try {
        // Co-mounted controllers share a hierarchy, and so a directory.
        const mounts = [...new Set(controllers.map((name) => mountOf(name)!))];
        for (const mount of mounts) {
          const selfPath = layout.selfPaths.get(controllers.find((name) => mountOf(name) === mount)!);
          for (const parent of ancestorPaths(path)) await ensureParentDir(host, `${mount}/${parent}`, selfPath);
          await makeLeafDir(host, `${mount}/${path}`, selfPath);
          parts.push(v1Cgroup(host, `${mount}/${path}`));
        }
        for (const name of controllers) await writeV1Limits(host, mountOf(name)!, `${mountOf(name)!}/${path}`, name, limits);
      } catch (error) {
        await combineCgroups(parts).remove().catch(() => {});
        throw error;
      }
      return combineCgroups(parts);
    },
  };
}

export function createV1Driver(host: CgroupHost, layout: CgroupLayout): CgroupDriver {
  return createDriver('v1', layout, [createV1Backend(host, layout)]);
}
