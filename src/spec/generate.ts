/**
 * Builds the OCI runtime config for one container from what the user asked
 * (ContainerOptions) and what the engine already decided (the resolved user,
 * the ID maps, the /etc files it wrote). Pure: it reads nothing, so every
 * decision is visible in its input and testable against the schema.
 */
import type { IdMapEntry, IdMaps } from '../userns/index.ts';
import type {
  OciCapabilities,
  OciConfig,
  OciIdMapping,
  OciLinux,
  OciNamespace,
  OciProcess,
  OciResources,
  OciRlimit,
  OciSeccomp,
} from '../runtime/index.ts';
import { InvalidOptionError } from '../errors/index.ts';
import {
  defaultSeccompProfile, fromDockerSeccompProfile, isDockerSeccompProfile, protectedPaths, resolveCapabilities, rlimitResource,
  type DockerSeccompProfile,
} from '../security/index.ts';
import type { ContainerOptions } from './container-options.ts';
import { DEFAULT_DEVICES } from './devices.ts';
import { buildContainerEnv } from './env.ts';
import { buildMounts, type RuntimeFiles } from './mounts.ts';
import type { ResolvedUser } from './resolve-user.ts';
import { checkOptions, checkUserIsMapped, isIdMapped } from './validate.ts';

export const OCI_VERSION = '1.3.0';

/** docker's and podman's open-files default; the runtime clamps it to what the host allows. */
export const DEFAULT_RLIMITS: readonly OciRlimit[] = [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }];

/** The tty group: devpts gets gid=5 only when that gid exists in the container. */
const TTY_GID = 5;

/** docker's floor: below it a container tends to be OOM-killed before its command runs. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/** The kernel's default CFS period; `--cpus` is a quota of that many periods' worth. */
export const CPU_PERIOD_US = 100000;

export interface GenerateInput {
  readonly options: ContainerOptions;
  readonly user: ResolvedUser;
  /** The container's maps; undefined means no user namespace (`--userns=host`). */
  readonly idMaps: IdMaps | undefined;
  readonly runtimeFiles: RuntimeFiles;
  /** Limits for resources --ulimit does not name. @default DEFAULT_RLIMITS */
  readonly rlimitDefaults?: readonly OciRlimit[] | undefined;
  /**
   * Host hard limits by OCI type (`RLIMIT_NOFILE`). Defaults above them are
   * lowered, since root may lack CAP_SYS_RESOURCE and then cannot raise a
   * hard limit; explicit --ulimit values are kept so the runtime reports them.
   */
  readonly hostHardLimits?: Readonly<Partial<Record<string, number>>> | undefined;
  /** The container's id: its cgroup is `isola/<id>`. Undefined leaves the name to the runtime. */
  readonly containerId?: string | undefined;
}

function toOciMappings(entries: readonly IdMapEntry[]): OciIdMapping[] {
  return entries.map((entry) => ({ containerID: entry.containerId, hostID: entry.hostId, size: entry.size }));
}

function buildNamespaces(options: ContainerOptions, hasUserns: boolean): OciNamespace[] {
  const namespaces: OciNamespace[] = [{ type: 'pid' }];
  if (options.network !== 'host') namespaces.push({ type: 'network' });
  namespaces.push({ type: 'ipc' }, { type: 'uts' }, { type: 'mount' });
  if (hasUserns) namespaces.push({ type: 'user' });
  return namespaces;
}

/**
 * docker's split: root gets the set as bounding, effective and permitted;
 * any other uid gets it as bounding only, so a setuid or file-capability
 * binary can still reach it but the process starts with none. Inheritable
 * and ambient stay empty (CVE-2022-24769).
 */
function buildCapabilities(options: ContainerOptions, uid: number): OciCapabilities {
  const set = resolveCapabilities({ add: options.capAdd, drop: options.capDrop, isPrivileged: options.isPrivileged });
  const running = uid === 0 ? set : [];
  return { bounding: set, effective: running, permitted: running, inheritable: [], ambient: [] };
}

function buildRlimits(input: GenerateInput): OciRlimit[] {
  const byType = new Map<string, OciRlimit>();
  for (const limit of input.rlimitDefaults ?? DEFAULT_RLIMITS) {
    const hostHard = input.hostHardLimits?.[limit.type];
    const hard = hostHard === undefined ? limit.hard : Math.min(limit.hard, hostHard);
    byType.set(limit.type, { type: limit.type, soft: Math.min(limit.soft, hard), hard });
  }
  for (const ulimit of input.options.ulimits) {
    const { type } = rlimitResource(ulimit.name);
    byType.set(type, { type, soft: ulimit.soft, hard: ulimit.hard });
  }
  return [...byType.values()];
}

function buildProcess(input: GenerateInput): OciProcess {
  const { options, user } = input;
  return {
    terminal: options.hasTerminal,
    user: { uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids] },
    args: [...options.args],
    env: buildContainerEnv({ env: options.env, hostname: options.hostname, hasTerminal: options.hasTerminal, home: user.home }),
    cwd: options.cwd ?? '/',
    capabilities: buildCapabilities(options, user.uid),
    rlimits: buildRlimits(input),
    noNewPrivileges: options.noNewPrivileges === true,
  };
}

/**
 * linux.resources from --pids-limit, --memory and --cpus; undefined when none
 * is given. Memory plus swap is twice the memory, docker's default.
 */
function buildResources(options: ContainerOptions): OciResources | undefined {
  const { pidsLimit, memoryBytes, cpus } = options;
  if (pidsLimit !== undefined && !(Number.isSafeInteger(pidsLimit) && pidsLimit >= 1)) {
    throw new InvalidOptionError('--pids-limit', 'a whole number of processes, at least 1', pidsLimit);
  }
  if (memoryBytes !== undefined && !(Number.isSafeInteger(memoryBytes) && memoryBytes >= MIN_MEMORY_BYTES)) {
    throw new InvalidOptionError('--memory', `a whole number of bytes, at least ${MIN_MEMORY_BYTES} (6m)`, memoryBytes);
  }
  const quotaUs = cpus === undefined ? undefined : Math.round(cpus * CPU_PERIOD_US);
  if (cpus !== undefined && !(Number.isFinite(cpus) && quotaUs !== undefined && quotaUs >= 1000)) {
    throw new InvalidOptionError('--cpus', 'a number of CPUs, at least 0.01', cpus);
  }
  if (pidsLimit === undefined && memoryBytes === undefined && quotaUs === undefined) return undefined;
  return {
    ...(pidsLimit === undefined ? {} : { pids: { limit: pidsLimit } }),
    ...(memoryBytes === undefined ? {} : { memory: { limit: memoryBytes, swap: 2 * memoryBytes } }),
    ...(quotaUs === undefined ? {} : { cpu: { quota: quotaUs, period: CPU_PERIOD_US } }),
  };
}

/**
 * linux.seccomp: a given profile (docker's and podman's file format resolved
 * for this container's capabilities), else isola's default for the bounding
 * set; none for --privileged or unconfined. The profile types are strings
 * where the spec has enums: the runtime's compiler checks every value, so the
 * cast hides nothing.
 */
function buildSeccomp(options: ContainerOptions): OciSeccomp | undefined {
  const option = options.seccomp ?? (options.isPrivileged ? { kind: 'unconfined' } : { kind: 'default' });
  if (option.kind === 'unconfined') return undefined;
  const capabilities = resolveCapabilities({ add: options.capAdd, drop: options.capDrop, isPrivileged: options.isPrivileged });
  if (option.kind === 'profile') {
    const { profile } = option;
    return (isDockerSeccompProfile(profile) ? fromDockerSeccompProfile(profile as DockerSeccompProfile, { capabilities }) : profile) as OciSeccomp;
  }
  return defaultSeccompProfile({ capabilities }) as OciSeccomp;
}

function buildLinux(input: GenerateInput): OciLinux {
  const { options, idMaps } = input;
  const { maskedPaths, readonlyPaths } = protectedPaths(options.isPrivileged);
  const resources = buildResources(options);
  const seccomp = buildSeccomp(options);
  const sysctl = options.sysctls ?? {};
  return {
    ...(input.containerId === undefined ? {} : { cgroupsPath: `isola/${input.containerId}` }),
    ...(resources === undefined ? {} : { resources }),
    namespaces: buildNamespaces(options, idMaps !== undefined),
    ...(idMaps === undefined ? {} : { uidMappings: toOciMappings(idMaps.uidMap), gidMappings: toOciMappings(idMaps.gidMap) }),
    devices: [...DEFAULT_DEVICES],
    maskedPaths,
    readonlyPaths,
    // The spec's enum has no "rprivate"; isola's runtime applies it recursively.
    rootfsPropagation: 'private',
    ...(seccomp === undefined ? {} : { seccomp }),
    ...(Object.keys(sysctl).length === 0 ? {} : { sysctl: { ...sysctl } }),
  };
}

/**
 * The config.json for one container.
 * @throws the checkOptions errors (InvalidOptionError, ConflictingOptionsError)
 *   for options that cannot work together, and InvalidOptionError for a
 *   user whose ids the maps leave out (checkUserIsMapped), and for a
 *   --pids-limit, --memory or --cpus value no cgroup can enforce.
 */
export function generateConfig(input: GenerateInput): OciConfig {
  const { options, idMaps } = input;
  checkOptions(options);
  checkUserIsMapped(input.user, idMaps);
  const mounts = buildMounts({
    hasUserns: idMaps !== undefined,
    isTtyGroupMapped: idMaps !== undefined && isIdMapped(idMaps.gidMap, TTY_GID),
    network: options.network,
    isReadonlyRootfs: options.isReadonlyRootfs,
    runtimeFiles: input.runtimeFiles,
    volumes: options.volumes,
    tmpfs: options.tmpfs,
  });
  return {
    ociVersion: OCI_VERSION,
    root: { path: options.rootfs, readonly: options.isReadonlyRootfs },
    process: buildProcess(input),
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    mounts,
    linux: buildLinux(input),
  };
}
