/**
 * What a container's cgroup must enforce, in the kernel's units and free of
 * any cgroup version: each driver writes it in its own files. A field left
 * undefined means no limit, so no controller is needed for it.
 */
import { CgroupError } from './errors.ts';

export type CgroupController = 'pids' | 'memory' | 'cpu' | 'cpuset';

export const CGROUP_CONTROLLERS: readonly CgroupController[] = ['pids', 'memory', 'cpu', 'cpuset'];

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
  for (const [what, list] of Object.entries(limits.cpuset ?? {})) {
    if (list !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) {
      throw new CgroupError('ISOLA_CGROUP_INVALID_LIMIT', `cpuset limit: ${what} must be a list such as 0-3,5, got ${JSON.stringify(list)}`,
        { controller: 'cpuset', hint: `fix the cpuset ${what}` });
    }
  }
}
