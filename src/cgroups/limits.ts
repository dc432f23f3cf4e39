/**
 * What a container's cgroup must enforce, in the kernel's units and free of
 * any cgroup version: each driver writes it in its own files. A field left
 * undefined means no limit, so no controller is needed for it.
 */
import { CgroupError } from './errors.ts';

/** Controllers by their v1 names; v2 calls blkio `io` and has no net_cls or net_prio. */
export type CgroupController = 'pids' | 'memory' | 'cpu' | 'cpuset' | 'blkio' | 'hugetlb' | 'net_cls' | 'net_prio';

export const CGROUP_CONTROLLERS: readonly CgroupController[] = ['pids', 'memory', 'cpu', 'cpuset', 'blkio', 'hugetlb', 'net_cls', 'net_prio'];

/** The controller's name in cgroup2's cgroup.controllers, or undefined where v2 has none. */
export function v2ControllerName(name: CgroupController): string | undefined {
  if (name === 'net_cls' || name === 'net_prio') return undefined;
  return name === 'blkio' ? 'io' : name;
}

export interface MemoryLimits {
  /** Bytes of memory; undefined: no limit. */
  readonly limitBytes?: number | undefined;
  /**
   * Bytes of memory plus swap (the OCI `memory.swap` meaning), at least
   * `limitBytes`. Applied only where the kernel accounts swap (v1
   * memory.memsw.*, v2 memory.swap.max); undefined leaves swap unlimited.
   */
  readonly swapLimitBytes?: number | undefined;
  /** Bytes reclaimed last under pressure: v1 memory.soft_limit_in_bytes, v2 memory.low. */
  readonly reservationBytes?: number | undefined;
  /** v1 only (memory.swappiness, 0 to 100): v2 has no such file. */
  readonly swappiness?: number | undefined;
  /** v1 only: kernel memory (memory.kmem.limit_in_bytes, which Linux 6 accepts and ignores). */
  readonly kernelBytes?: number | undefined;
  /** v1 only: TCP buffer memory (memory.kmem.tcp.limit_in_bytes). */
  readonly kernelTcpBytes?: number | undefined;
  /** v1 only (memory.oom_control): the cgroup's tasks pause at the limit instead of being killed. */
  readonly isOomKillerDisabled?: boolean | undefined;
}

export interface CpuLimits {
  /** Microseconds of CPU time the cgroup may use per period; undefined: no quota. */
  readonly quotaUs?: number | undefined;
  /** Microseconds, 1000 to 1000000 (the kernel's bounds). */
  readonly periodUs: number;
  /** v1 cpu.shares (2 to 262144), converted to cpu.weight on v2; undefined keeps the default. */
  readonly shares?: number | undefined;
  /** v1 only: microseconds of real-time scheduling per realtime period (cpu.rt_runtime_us; -1: no limit). */
  readonly realtimeRuntimeUs?: number | undefined;
  /** v1 only: cpu.rt_period_us. */
  readonly realtimePeriodUs?: number | undefined;
}

/** A block device, by its numbers (whole disks: the kernel refuses partitions for weights). */
export interface BlockDevice {
  readonly major: number;
  readonly minor: number;
}

export interface BlockDeviceRate extends BlockDevice {
  /** Bytes or I/O operations per second. */
  readonly rate: number;
}

export interface BlockDeviceWeight extends BlockDevice {
  readonly weight?: number | undefined;
  readonly leafWeight?: number | undefined;
}

/** Block I/O: v1 blkio, v2 io. Weights need a proportional I/O scheduler (BFQ; CFQ before Linux 5.0). */
export interface BlkioLimits {
  /** 10 to 1000 (v1 blkio.weight or blkio.bfq.weight; v2 io.bfq.weight, or io.weight converted). */
  readonly weight?: number | undefined;
  /** CFQ only (blkio.leaf_weight), so kernels before 5.0 on v1. */
  readonly leafWeight?: number | undefined;
  readonly weightDevices?: readonly BlockDeviceWeight[] | undefined;
  readonly readBpsDevices?: readonly BlockDeviceRate[] | undefined;
  readonly writeBpsDevices?: readonly BlockDeviceRate[] | undefined;
  readonly readIopsDevices?: readonly BlockDeviceRate[] | undefined;
  readonly writeIopsDevices?: readonly BlockDeviceRate[] | undefined;
}

/** A limit of huge pages of one size. */
export interface HugetlbLimit {
  /** As the kernel names it in hugetlb.<size>.*: `2MB`, `1GB`, `64KB`. */
  readonly pageSize: string;
  readonly limitBytes: number;
}

/** v1 only: net_cls and net_prio. */
export interface NetworkLimits {
  /** net_cls.classid, the tc class id of the container's packets. */
  readonly classId?: number | undefined;
  /** net_prio.ifpriomap entries. */
  readonly priorities?: readonly { readonly interfaceName: string; readonly priority: number }[] | undefined;
}

/** The CPUs and memory nodes the cgroup may use, in the kernel's list format (`0-3,5`). */
export interface CpusetLimits {
  readonly cpus?: string | undefined;
  readonly mems?: string | undefined;
}

export interface CgroupLimits {
  /** Maximum number of tasks (processes and threads). */
  readonly pidsMax?: number | undefined;
  readonly memory?: MemoryLimits | undefined;
  readonly cpu?: CpuLimits | undefined;
  readonly cpuset?: CpusetLimits | undefined;
  readonly blkio?: BlkioLimits | undefined;
  readonly hugetlb?: readonly HugetlbLimit[] | undefined;
  readonly network?: NetworkLimits | undefined;
}

export interface CgroupRequest {
  /** Path below each hierarchy's root, e.g. `isola/<container id>`. */
  readonly path: string;
  readonly limits: CgroupLimits;
}

/** The controllers the limits need, in CGROUP_CONTROLLERS order. */
export function requestedControllers(limits: CgroupLimits): CgroupController[] {
  return CGROUP_CONTROLLERS.filter((name) => {
    if (name === 'pids') return limits.pidsMax !== undefined;
    if (name === 'net_cls') return limits.network?.classId !== undefined;
    if (name === 'net_prio') return (limits.network?.priorities ?? []).length > 0;
    if (name === 'hugetlb') return (limits.hugetlb ?? []).length > 0;
    return limits[name] !== undefined;
  });
}

function invalid(controller: CgroupController, what: string, value: number): CgroupError {
  return new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `${controller} limit: ${what}, got ${value}`,
    { controller, hint: `fix the ${controller} limit` });
}

function checkWhole(value: number, min: number, controller: CgroupController, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) throw invalid(controller, `${what} must be a whole number of at least ${min}`, value);
}

/**
 * @throws CgroupError ISOLA_CGROUP_INVALID_LIMIT for a value the kernel
 *   would refuse, before any cgroup exists.
 */
export function checkLimits(limits: CgroupLimits): void {
  if (limits.pidsMax !== undefined) checkWhole(limits.pidsMax, 1, 'pids', 'the process count');
  const memory = limits.memory;
  if (memory !== undefined) {
    for (const bytes of [memory.limitBytes, memory.reservationBytes, memory.kernelBytes, memory.kernelTcpBytes]) {
      if (bytes !== undefined) checkWhole(bytes, 1, 'memory', 'the byte count');
    }
    if (memory.swapLimitBytes !== undefined && !(memory.limitBytes !== undefined && memory.swapLimitBytes >= memory.limitBytes)) {
      throw invalid('memory', `memory plus swap must be at least the memory limit ${memory.limitBytes}`, memory.swapLimitBytes);
    }
    if (memory.swapLimitBytes !== undefined) checkWhole(memory.swapLimitBytes, 1, 'memory', 'the memory plus swap byte count');
    if (memory.swappiness !== undefined && !(Number.isSafeInteger(memory.swappiness) && memory.swappiness >= 0 && memory.swappiness <= 100)) {
      throw invalid('memory', 'the swappiness must be a whole number from 0 to 100', memory.swappiness);
    }
  }
  if (limits.cpu !== undefined) {
    checkWhole(limits.cpu.periodUs, 1000, 'cpu', 'the period in microseconds');
    if (limits.cpu.periodUs > 1_000_000) throw invalid('cpu', 'the period must be at most 1000000 microseconds', limits.cpu.periodUs);
    if (limits.cpu.quotaUs !== undefined) checkWhole(limits.cpu.quotaUs, 1000, 'cpu', 'the quota in microseconds');
    const shares = limits.cpu.shares;
    if (shares !== undefined && (!Number.isSafeInteger(shares) || shares < 2 || shares > 262144)) {
      throw invalid('cpu', 'the shares must be a whole number from 2 to 262144', shares);
    }
  }
  checkRealtime(limits.cpu);
  checkBlkio(limits.blkio);
  for (const { pageSize, limitBytes } of limits.hugetlb ?? []) {
    if (!/^\d+[KMG]B$/.test(pageSize)) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `hugetlb limit: the page size must be such as 2MB or 1GB, got ${JSON.stringify(pageSize)}`,
        { controller: 'hugetlb', hint: 'fix the page size (see /sys/kernel/mm/hugepages)' });
    }
    checkWhole(limitBytes, 0, 'hugetlb', 'the byte count');
  }
  const network = limits.network;
  if (network?.classId !== undefined) checkWhole(network.classId, 0, 'net_cls', 'the class id');
  for (const { interfaceName, priority } of network?.priorities ?? []) {
    if (!/^[^\s/]{1,15}$/.test(interfaceName)) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `net_prio limit: ${JSON.stringify(interfaceName)} is not an interface name`,
        { controller: 'net_prio', hint: 'fix the interface name' });
    }
    checkWhole(priority, 0, 'net_prio', 'the priority');
  }
  for (const [what, list] of Object.entries(limits.cpuset ?? {})) {
    if (list !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `cpuset limit: ${what} must be a list such as 0-3,5, got ${JSON.stringify(list)}`,
        { controller: 'cpuset', hint: `fix the cpuset ${what}` });
    }
  }
}

function checkRealtime(cpu: CpuLimits | undefined): void {
  if (cpu?.realtimePeriodUs !== undefined) checkWhole(cpu.realtimePeriodUs, 1, 'cpu', 'the realtime period in microseconds');
  const runtime = cpu?.realtimeRuntimeUs;
  if (runtime !== undefined && runtime !== -1) checkWhole(runtime, 0, 'cpu', 'the realtime runtime in microseconds (or -1)');
}

function checkBlkio(blkio: BlkioLimits | undefined): void {
  if (blkio === undefined) return;
  const checkWeight = (weight: number | undefined, what: string): void => {
    if (weight !== undefined && (!Number.isSafeInteger(weight) || weight < 10 || weight > 1000)) {
      throw invalid('blkio', `${what} must be a whole number from 10 to 1000`, weight);
    }
  };
  checkWeight(blkio.weight, 'the weight');
  checkWeight(blkio.leafWeight, 'the leaf weight');
  const checkDevice = (device: BlockDevice): void => {
    checkWhole(device.major, 0, 'blkio', 'a device major number');
    checkWhole(device.minor, 0, 'blkio', 'a device minor number');
  };
  for (const device of blkio.weightDevices ?? []) {
    checkDevice(device);
    checkWeight(device.weight, `the weight of device ${device.major}:${device.minor}`);
    checkWeight(device.leafWeight, `the leaf weight of device ${device.major}:${device.minor}`);
  }
  for (const list of [blkio.readBpsDevices, blkio.writeBpsDevices, blkio.readIopsDevices, blkio.writeIopsDevices]) {
    for (const device of list ?? []) {
      checkDevice(device);
      checkWhole(device.rate, 0, 'blkio', 'a device rate');
    }
  }
}
