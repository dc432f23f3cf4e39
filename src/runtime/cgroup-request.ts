/**
 * The OCI config's `linux.resources` and `linux.cgroupsPath` as a cgroups/
 * request, in kernel units. OCI spells "no limit" as -1 (and 0 for pids);
 * those ask for no controller. A resource isola cannot enforce yet is an
 * error, never silently dropped.
 */
import { IsolaError } from '../errors/index.ts';
import type {
  BlkioLimits, BlockDeviceRate, CgroupLimits, CgroupRequest, CpuLimits, CpusetLimits, HugetlbLimit, MemoryLimits, NetworkLimits,
} from '../cgroups/index.ts';
import type { OciBlockIO, OciConfig, OciCpu, OciMemory, OciResources } from './oci-config.ts';

/** The kernel's default CFS period, as docker and podman use with --cpus. */
export const DEFAULT_CPU_PERIOD_US = 100000;

/** cpu.shares of a new v1 cgroup (cpu.weight 100 on v2). */
const DEFAULT_CPU_SHARES = 1024;

function unsupported(what: string): IsolaError {
  return new IsolaError('ISOLA_RUNTIME_UNSUPPORTED', `${what} is not supported yet`, { hint: `remove ${what} from the config` });
}

function invalid(what: string, value: unknown): IsolaError {
  return new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `${what} must be a positive number or -1 (no limit), got ${String(value)}`,
    { hint: `fix ${what} in the config` });
}

/** A limit that is set: a positive number; -1 (and 0, as runc reads it) means none. */
function limitValue(value: number | undefined, what: string): number | undefined {
  if (value === undefined || value === -1 || value === 0) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw invalid(what, value);
  return value;
}

function checkOnly(section: object, allowed: readonly string[], prefix: string): void {
  for (const [key, value] of Object.entries(section)) {
    const isEmpty = value === undefined || (Array.isArray(value) && value.length === 0)
      || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
    if (!allowed.includes(key) && !isEmpty) throw unsupported(`${prefix}.${key}`);
  }
}

function memoryLimits(memory: OciMemory | undefined): MemoryLimits | undefined {
  if (memory === undefined) return undefined;
  checkOnly(memory, ['limit', 'swap', 'reservation', 'swappiness', 'kernel', 'kernelTCP', 'disableOOMKiller'], 'linux.resources.memory');
  const limitBytes = limitValue(memory.limit, 'linux.resources.memory.limit');
  const swapLimitBytes = limitValue(memory.swap, 'linux.resources.memory.swap');
  if (limitBytes === undefined && swapLimitBytes !== undefined) throw unsupported('linux.resources.memory.swap without memory.limit');
  const limits: MemoryLimits = {
    limitBytes, swapLimitBytes,
    reservationBytes: limitValue(memory.reservation, 'linux.resources.memory.reservation'),
    kernelBytes: limitValue(memory.kernel, 'linux.resources.memory.kernel'),
    kernelTcpBytes: limitValue(memory.kernelTCP, 'linux.resources.memory.kernelTCP'),
    // OCI's swappiness is a uint64 the kernel caps at 100; 0 is a value, not "unset".
    swappiness: memory.swappiness,
    isOomKillerDisabled: memory.disableOOMKiller === true ? true : undefined,
  };
  return Object.values(limits).every((value) => value === undefined) ? undefined : limits;
}

function cpuLimits(cpu: OciCpu | undefined): CpuLimits | undefined {
  if (cpu === undefined) return undefined;
  checkOnly(cpu, ['quota', 'period', 'shares', 'cpus', 'mems', 'realtimeRuntime', 'realtimePeriod'], 'linux.resources.cpu');
  const quotaUs = limitValue(cpu.quota, 'linux.resources.cpu.quota');
  // containerd always sends shares 1024, a new cgroup's default: asking for it alone needs no cgroup.
  const shares = cpu.shares === DEFAULT_CPU_SHARES ? undefined : limitValue(cpu.shares, 'linux.resources.cpu.shares');
  // runc reads 0 as unset for both; a runtime of -1 lifts the limit, as the kernel takes it.
  const realtimeRuntimeUs = cpu.realtimeRuntime === 0 ? undefined : cpu.realtimeRuntime;
  const realtimePeriodUs = cpu.realtimePeriod === 0 ? undefined : cpu.realtimePeriod;
  // A period alone limits nothing.
  if (quotaUs === undefined && shares === undefined && realtimeRuntimeUs === undefined && realtimePeriodUs === undefined) return undefined;
  return {
    quotaUs, shares, periodUs: limitValue(cpu.period, 'linux.resources.cpu.period') ?? DEFAULT_CPU_PERIOD_US,
    realtimeRuntimeUs, realtimePeriodUs,
  };
}

/** runc's reading: a weight of 0 is unset. */
const weightValue = (weight: number | undefined): number | undefined => weight === 0 ? undefined : weight;

function blkioLimits(blockIO: OciBlockIO | undefined): BlkioLimits | undefined {
  if (blockIO === undefined) return undefined;
  const rates = (list: OciBlockIO['throttleReadBpsDevice']): BlockDeviceRate[] | undefined =>
    list === undefined || list.length === 0 ? undefined : list.map(({ major, minor, rate }) => ({ major, minor, rate }));
  const weightDevices = (blockIO.weightDevice ?? [])
    .map(({ major, minor, weight, leafWeight }) => ({ major, minor, weight: weightValue(weight), leafWeight: weightValue(leafWeight) }))
    .filter((d) => d.weight !== undefined || d.leafWeight !== undefined);
  const limits: BlkioLimits = {
    weight: weightValue(blockIO.weight), leafWeight: weightValue(blockIO.leafWeight),
    weightDevices: weightDevices.length === 0 ? undefined : weightDevices,
    readBpsDevices: rates(blockIO.throttleReadBpsDevice), writeBpsDevices: rates(blockIO.throttleWriteBpsDevice),
    readIopsDevices: rates(blockIO.throttleReadIOPSDevice), writeIopsDevices: rates(blockIO.throttleWriteIOPSDevice),
  };
  return Object.values(limits).every((value) => value === undefined) ? undefined : limits;
}

function networkLimits(network: OciResources['network']): NetworkLimits | undefined {
  const priorities = (network?.priorities ?? []).map(({ name, priority }) => ({ interfaceName: name, priority }));
  const classId = network?.classID;
  if (classId === undefined && priorities.length === 0) return undefined;
  return { classId, priorities: priorities.length === 0 ? undefined : priorities };
}

function hugetlbLimits(limits: OciResources['hugepageLimits']): HugetlbLimit[] | undefined {
  return limits === undefined || limits.length === 0 ? undefined : limits.map(({ pageSize, limit }) => ({ pageSize, limitBytes: limit }));
}

function cpusetLimits(cpu: OciCpu | undefined): CpusetLimits | undefined {
  const cpus = cpu?.cpus === '' ? undefined : cpu?.cpus;
  const mems = cpu?.mems === '' ? undefined : cpu?.mems;
  return cpus === undefined && mems === undefined ? undefined : { cpus, mems };
}

export interface ResourceContext {
  /**
   * Whether linux.resources.devices (which podman and containerd always
   * send) is taken care of: by construction in a user namespace of its own
   * (mknod is refused there and only linux.devices are bind-mounted in), or
   * by the caller writing a v1 devices cgroup.
   */
  readonly areDeviceRulesHandled?: boolean | undefined;
}

/** A user namespace created for the container (not joined, not absent). */
export function hasOwnUserns(config: OciConfig): boolean {
  return (config.linux?.namespaces ?? []).some((ns) => ns.type === 'user' && (ns.path ?? '') === '');
}

export function cgroupLimitsFromResources(resources: OciResources | undefined, context: ResourceContext = {}): CgroupLimits {
  if (resources === undefined) return {};
  const handled = ['pids', 'memory', 'cpu', 'blockIO', 'hugepageLimits', 'network'];
  checkOnly(resources, context.areDeviceRulesHandled === true ? [...handled, 'devices'] : handled, 'linux.resources');
  return {
    pidsMax: limitValue(resources.pids?.limit, 'linux.resources.pids.limit'),
    memory: memoryLimits(resources.memory),
    cpu: cpuLimits(resources.cpu), cpuset: cpusetLimits(resources.cpu),
    blkio: blkioLimits(resources.blockIO), hugetlb: hugetlbLimits(resources.hugepageLimits), network: networkLimits(resources.network),
  };
}

/**
 * @param fallbackPath the cgroup path when the config names none
 * @throws IsolaError ISOLA_RUNTIME_UNSUPPORTED, ISOLA_RUNTIME_INVALID_CONFIG
 */
export function cgroupRequestFromConfig(config: OciConfig, fallbackPath: string): CgroupRequest {
  const linux = config.linux ?? {};
  return { path: linux.cgroupsPath ?? fallbackPath, limits: cgroupLimitsFromResources(linux.resources, { areDeviceRulesHandled: hasOwnUserns(config) }) };
}
