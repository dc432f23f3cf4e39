/**
 * cgroup v2: one hierarchy. A controller works in a cgroup only when every
 * ancestor lists it in cgroup.subtree_control, so the path down to the
 * container's cgroup is enabled first; the kernel refuses that in a cgroup
 * holding processes of its own (the no-internal-processes rule), which the
 * root and isola's own parents do not.
 */
import { ancestorPaths } from './cgroup-path.ts';
import { ensureParentDir, makeLeafDir, writeCgroupFile } from './cgroup-dir.ts';
import { createDriver, type CgroupBackend, type CgroupDriver, type ContainerCgroup } from './driver.ts';
import { CgroupError, fsErrorCode, isPermissionError } from './errors.ts';
import type { CgroupHost } from './host.ts';
import type { CgroupLayout } from './layout.ts';
import { writeV2Io } from './blkio.ts';
import { CGROUP_CONTROLLERS, v2ControllerName, type CgroupController, type CgroupLimits } from './limits.ts';
import { hugetlbFile } from './v1.ts';
import { killCgroupProcs, removeCgroupDir } from './remove.ts';

function enableError(dir: string, name: CgroupController, error: unknown, selfPath: string | undefined): CgroupError {
  const file = `${dir}/cgroup.subtree_control`;
  const code = fsErrorCode(error);
  if (code === 'ENOENT') {
    return new CgroupError('ISOLA_CGROUP_CONTROLLER_MISSING', `the ${name} cgroup controller is not available in ${dir}`,
      { controller: name, path: file, cause: error, hint: `enable ${name} in the cgroup.subtree_control of ${dir}'s parent, or run without a ${name} limit` });
  }
  if (code === 'EBUSY') {
    return new CgroupError('ISOLA_CGROUP_CREATE_FAILED', `cannot enable ${name} in ${file}: ${dir} holds processes of its own`,
      { controller: name, path: file, cause: error, hint: `move the processes out of ${dir}, or choose a cgroup path under another parent` });
  }
  const where = selfPath === undefined ? '' : ` (isola runs in cgroup ${selfPath})`;
  if (isPermissionError(error)) {
    return new CgroupError('ISOLA_CGROUP_NOT_WRITABLE', `cannot enable ${name} in ${file}: ${code ?? 'refused'}`,
      { controller: name, path: file, cause: error, hint: `creating cgroups needs root or a cgroup delegated to this user${where}: run as root, or without resource limits` });
  }
  return new CgroupError('ISOLA_CGROUP_CREATE_FAILED', `cannot enable ${name} in ${file}: ${code ?? String(error)}`, { controller: name, path: file, cause: error });
}

/** Adds the controllers `dir`'s children need to its cgroup.subtree_control. */
async function enableControllers(host: CgroupHost, dir: string, controllers: readonly CgroupController[], selfPath: string | undefined): Promise<void> {
  const enabled = (await host.readFile(`${dir}/cgroup.subtree_control`).catch(() => '')).split(/\s+/);
  for (const name of controllers.filter((c) => !enabled.includes(v2ControllerName(c) ?? c))) {
    try {
      await host.writeFile(`${dir}/cgroup.subtree_control`, `+${v2ControllerName(name) ?? name}`);
    } catch (error) {
      throw enableError(dir, name, error, selfPath);
    }
  }
}

export async function writeV2Limits(host: CgroupHost, dir: string, name: CgroupController, limits: CgroupLimits): Promise<void> {
  if (name === 'pids' && limits.pidsMax !== undefined) {
    await writeCgroupFile(host, `${dir}/pids.max`, String(limits.pidsMax), name);
  } else if (name === 'memory' && limits.memory !== undefined) {
    const memory = limits.memory;
    const v1Only = (['swappiness', 'kernelBytes', 'kernelTcpBytes', 'isOomKillerDisabled'] as const).find((key) => memory[key] !== undefined && memory[key] !== false);
    if (v1Only !== undefined) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `memory limit: ${v1Only} exists only on cgroup v1, and this is a v2 cgroup`,
        { controller: name, hint: `remove ${v1Only} from the limits` });
    }
    if (memory.limitBytes !== undefined) await writeCgroupFile(host, `${dir}/memory.max`, String(memory.limitBytes), name);
    const swap = memory.swapLimitBytes;
    // v2 limits swap alone, not memory plus swap; the file exists only with swap accounting.
    if (swap !== undefined && memory.limitBytes !== undefined && await host.exists(`${dir}/memory.swap.max`)) {
      await writeCgroupFile(host, `${dir}/memory.swap.max`, String(swap - memory.limitBytes), name);
    }
    if (memory.reservationBytes !== undefined) await writeCgroupFile(host, `${dir}/memory.low`, String(memory.reservationBytes), name);
  } else if (name === 'cpu' && limits.cpu !== undefined) {
    const { shares, quotaUs, periodUs } = limits.cpu;
    if (limits.cpu.realtimeRuntimeUs !== undefined || limits.cpu.realtimePeriodUs !== undefined) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', 'cpu limit: real-time runtime and period exist only on cgroup v1, and this is a v2 cgroup',
        { controller: name, hint: 'remove realtimeRuntime and realtimePeriod from the limits' });
    }
    // runc's and crun's conversion, so shares read the same on either version: 2..262144 onto 1..10000.
    if (shares !== undefined) await writeCgroupFile(host, `${dir}/cpu.weight`, String(1 + Math.floor(((shares - 2) * 9999) / 262142)), name);
    await writeCgroupFile(host, `${dir}/cpu.max`, `${quotaUs ?? 'max'} ${periodUs}`, name);
  } else if (name === 'blkio' && limits.blkio !== undefined) {
    await writeV2Io(host, dir, limits.blkio);
  } else if (name === 'hugetlb') {
    for (const { pageSize, limitBytes } of limits.hugetlb ?? []) {
      await writeCgroupFile(host, await hugetlbFile(host, dir, pageSize, 'max'), String(limitBytes), name);
      const rsvd = `${dir}/hugetlb.${pageSize}.rsvd.max`;
      if (await host.exists(rsvd)) await writeCgroupFile(host, rsvd, String(limitBytes), name);
    }
  } else if (name === 'cpuset' && limits.cpuset !== undefined) {
    // Empty v2 cpuset files mean the parent's: nothing to inherit by hand.
    if (limits.cpuset.cpus !== undefined) await writeCgroupFile(host, `${dir}/cpuset.cpus`, limits.cpuset.cpus, name);
    if (limits.cpuset.mems !== undefined) await writeCgroupFile(host, `${dir}/cpuset.mems`, limits.cpuset.mems, name);
  }
}

/** cgroup.kill (Linux 5.14) kills every process at once, also ones forking meanwhile. */
async function killAll(host: CgroupHost, dir: string): Promise<void> {
  if (await host.exists(`${dir}/cgroup.kill`)) await host.writeFile(`${dir}/cgroup.kill`, '1').catch(() => {});
  else await killCgroupProcs(host, dir);
}

export function createV2Backend(host: CgroupHost, layout: CgroupLayout): CgroupBackend {
  const mount = layout.unifiedMount;
  const selfPath = layout.selfPaths.get('');
  return {
    controllers: mount === undefined ? [] : CGROUP_CONTROLLERS.filter((name) => layout.unifiedControllers.includes(v2ControllerName(name) ?? '')),
    create: async (path, controllers, limits) => {
      if (mount === undefined) throw new Error('cgroups: a v2 backend without a cgroup2 mount was asked for a cgroup');
      await enableControllers(host, mount, controllers, selfPath);
      for (const parent of ancestorPaths(path)) {
        await ensureParentDir(host, `${mount}/${parent}`, selfPath);
        await enableControllers(host, `${mount}/${parent}`, controllers, selfPath);
      }
      const dir = `${mount}/${path}`;
      await makeLeafDir(host, dir, selfPath);
      const cgroup: ContainerCgroup = {
        procsFiles: [`${dir}/cgroup.procs`], dirs: [dir],
        remove: () => removeCgroupDir(host, dir, (d) => killAll(host, d)),
      };
      try {
        for (const name of controllers) await writeV2Limits(host, dir, name, limits);
      } catch (error) {
        await cgroup.remove().catch(() => {});
        throw error;
      }
      return cgroup;
    },
  };
}

export function createV2Driver(host: CgroupHost, layout: CgroupLayout): CgroupDriver {
  return createDriver('v2', layout, [createV2Backend(host, layout)]);
}
