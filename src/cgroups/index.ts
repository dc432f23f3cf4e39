/**
 * cgroups/: per-container cgroups on cgroup v1, v2 and hybrid hosts, for the
 * pids, memory, cpu, cpuset, blkio (v2 io), hugetlb, net_cls and net_prio
 * controllers. It detects the host's layout, creates a
 * container's cgroup with its limits before the container exists (the shim
 * writes the init into the returned cgroup.procs files), and kills what is
 * left and removes it afterwards. It knows nothing of OCI configs or flags:
 * the runtime hands it limits in kernel units. Every /proc and /sys access
 * goes through CgroupHost, so tests root it at a temp dir.
 */
export {
  CGROUP_CONTROLLERS, checkLimits, requestedControllers, v2ControllerName, type BlkioLimits, type BlockDeviceRate, type BlockDeviceWeight,
  type CgroupController, type CgroupLimits, type CgroupRequest, type CpuLimits, type CpusetLimits, type HugetlbLimit, type MemoryLimits,
  type NetworkLimits,
} from './limits.ts';
export type { CgroupDriver, ContainerCgroup } from './driver.ts';
export { CgroupError, type CgroupErrorCode, type CgroupErrorOptions } from './errors.ts';
export { createFsCgroupHost, type CgroupHost } from './host.ts';
export { detectCgroupLayout, parseCgroupMounts, parseProcCgroup, type CgroupLayout, type CgroupLayoutKind, type CgroupMount } from './layout.ts';
export { normalizeCgroupPath } from './cgroup-path.ts';
export { removeCgroupDirs } from './remove.ts';
export { updateCgroupLimits } from './update.ts';
export { createCgroupDriver, openCgroupDriver } from './open-driver.ts';
export { findCgroupDirs, readCgroupPids, removeRecordedCgroup, setRecordedCgroupFrozen } from './recorded-cgroup.ts';
