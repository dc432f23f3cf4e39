/**
 * Types for the OCI runtime-spec 1.3 bundle configuration (config.json) and the
 * state document (`runtime state`). Field names and optionality follow
 * shared/oci-schemas/runtime-spec/*.json; Linux is the only platform isola runs
 * on, so other platforms' sections are left out. Types only: spec/ builds these,
 * runtime/ reads them, and configs written by podman or containerd parse into
 * them too, so nothing here may assume isola produced the document.
 *
 * uint64 fields (rlimits, memory limits) are JSON numbers; a value at or above
 * 2^53 is not exact once parsed, see security/rlimits.ts for RLIM_INFINITY.
 */

export type OciNamespaceType = 'mount' | 'pid' | 'network' | 'uts' | 'ipc' | 'user' | 'cgroup' | 'time';

export interface OciNamespace {
  readonly type: OciNamespaceType;
  /** Join the namespace at this path instead of creating one. */
  readonly path?: string;
}

/** One line of a uid_map or gid_map: `size` ids from `containerID` map to `hostID`. */
export interface OciIdMapping {
  readonly containerID: number;
  readonly hostID: number;
  readonly size: number;
}

export interface OciMount {
  /** Absolute path inside the container. */
  readonly destination: string;
  readonly source?: string;
  readonly type?: string;
  /** fstab-style options: `ro`, `nosuid`, `rbind`, `mode=755`, ... */
  readonly options?: readonly string[];
  /** ID-mapped mount (runtime-spec 1.1+). */
  readonly uidMappings?: readonly OciIdMapping[];
  readonly gidMappings?: readonly OciIdMapping[];
}

export interface OciUser {
  readonly uid: number;
  readonly gid: number;
  readonly umask?: number;
  readonly additionalGids?: readonly number[];
  readonly username?: string;
}

export interface OciCapabilities {
  /** Names in the `CAP_CHOWN` form. */
  readonly bounding?: readonly string[];
  readonly effective?: readonly string[];
  readonly inheritable?: readonly string[];
  readonly permitted?: readonly string[];
  readonly ambient?: readonly string[];
}

export interface OciRlimit {
  /** `RLIMIT_NOFILE`, ... */
  readonly type: string;
  readonly soft: number;
  readonly hard: number;
}

export interface OciConsoleSize {
  readonly height: number;
  readonly width: number;
}

export type OciIoPriorityClass = 'IOPRIO_CLASS_RT' | 'IOPRIO_CLASS_BE' | 'IOPRIO_CLASS_IDLE';

export interface OciScheduler {
  readonly policy: string;
  readonly nice?: number;
  readonly priority?: number;
  readonly flags?: readonly string[];
  readonly runtime?: number;
  readonly deadline?: number;
  readonly period?: number;
}

export interface OciProcess {
  readonly terminal?: boolean;
  readonly consoleSize?: OciConsoleSize;
  readonly user: OciUser;
  readonly args?: readonly string[];
  readonly commandLine?: string;
  /** `KEY=VALUE` entries. */
  readonly env?: readonly string[];
  /** Absolute path inside the container. */
  readonly cwd: string;
  readonly capabilities?: OciCapabilities;
  readonly rlimits?: readonly OciRlimit[];
  readonly noNewPrivileges?: boolean;
  readonly apparmorProfile?: string;
  readonly oomScoreAdj?: number;
  readonly selinuxLabel?: string;
  readonly ioPriority?: { readonly class: OciIoPriorityClass; readonly priority?: number };
  readonly scheduler?: OciScheduler;
  readonly execCPUAffinity?: { readonly initial?: string; readonly final?: string };
}

export interface OciRoot {
  readonly path: string;
  readonly readonly?: boolean;
}

export interface OciHook {
  readonly path: string;
  readonly args?: readonly string[];
  readonly env?: readonly string[];
  /** Seconds. */
  readonly timeout?: number;
}

export interface OciHooks {
  /** Deprecated by the spec in favour of createRuntime. */
  readonly prestart?: readonly OciHook[];
  readonly createRuntime?: readonly OciHook[];
  readonly createContainer?: readonly OciHook[];
  readonly startContainer?: readonly OciHook[];
  readonly poststart?: readonly OciHook[];
  readonly poststop?: readonly OciHook[];
}

export interface OciDevice {
  /** `c` (character), `b` (block), `u` (unbuffered character) or `p` (FIFO). */
  readonly type: 'c' | 'b' | 'u' | 'p';
  readonly path: string;
  readonly major?: number;
  readonly minor?: number;
  /** Permission bits as a number (0o666), not a string. */
  readonly fileMode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export interface OciDeviceCgroup {
  readonly allow: boolean;
  readonly type?: string;
  readonly major?: number;
  readonly minor?: number;
  /** Some of `r`, `w`, `m`. */
  readonly access?: string;
}

export interface OciMemory {
  /** Bytes; -1 means unlimited. */
  readonly limit?: number;
  readonly reservation?: number;
  readonly swap?: number;
  readonly kernel?: number;
  readonly kernelTCP?: number;
  readonly swappiness?: number;
  readonly disableOOMKiller?: boolean;
  readonly useHierarchy?: boolean;
  readonly checkBeforeUpdate?: boolean;
}

export interface OciCpu {
  readonly shares?: number;
  /** Microseconds of CPU time per `period`; -1 means unlimited. */
  readonly quota?: number;
  readonly burst?: number;
  /** Microseconds. */
  readonly period?: number;
  readonly realtimeRuntime?: number;
  readonly realtimePeriod?: number;
  /** CPU list such as `0-3,6`. */
  readonly cpus?: string;
  readonly mems?: string;
  readonly idle?: number;
}

export interface OciPids {
  /** Maximum number of tasks; 0 or -1 means unlimited. */
  readonly limit: number;
}

export interface OciBlockDevice {
  readonly major: number;
  readonly minor: number;
}

export interface OciBlockIO {
  readonly weight?: number;
  readonly leafWeight?: number;
  readonly weightDevice?: readonly (OciBlockDevice & { readonly weight?: number; readonly leafWeight?: number })[];
  readonly throttleReadBpsDevice?: readonly (OciBlockDevice & { readonly rate: number })[];
  readonly throttleWriteBpsDevice?: readonly (OciBlockDevice & { readonly rate: number })[];
  readonly throttleReadIOPSDevice?: readonly (OciBlockDevice & { readonly rate: number })[];
  readonly throttleWriteIOPSDevice?: readonly (OciBlockDevice & { readonly rate: number })[];
}

export interface OciResources {
  readonly devices?: readonly OciDeviceCgroup[];
  readonly memory?: OciMemory;
  readonly cpu?: OciCpu;
  readonly pids?: OciPids;
  readonly hugepageLimits?: readonly { readonly pageSize: string; readonly limit: number }[];
  readonly blockIO?: OciBlockIO;
  readonly network?: { readonly classID?: number; readonly priorities?: readonly { readonly name: string; readonly priority: number }[] };
  /** cgroup v2 files written as-is, e.g. `{ "memory.high": "1G" }`. */
  readonly unified?: Readonly<Record<string, string>>;
}

export type OciSeccompAction =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG' | 'SCMP_ACT_NOTIFY';

export type OciSeccompOperator =
  | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface OciSeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: OciSeccompOperator;
}

export interface OciSeccompSyscall {
  readonly names: readonly string[];
  readonly action: OciSeccompAction;
  readonly errnoRet?: number;
  readonly args?: readonly OciSeccompArg[];
}

export interface OciSeccomp {
  readonly defaultAction: OciSeccompAction;
  readonly defaultErrnoRet?: number;
  /** `SCMP_ARCH_X86_64`, ... */
  readonly architectures?: readonly string[];
  /** `SECCOMP_FILTER_FLAG_LOG`, ... */
  readonly flags?: readonly string[];
  readonly listenerPath?: string;
  readonly listenerMetadata?: string;
  readonly syscalls?: readonly OciSeccompSyscall[];
}

export type OciRootfsPropagation = 'private' | 'shared' | 'slave' | 'unbindable';

export interface OciTimeOffset {
  readonly secs?: number;
  readonly nanosecs?: number;
}

export interface OciLinux {
  readonly namespaces?: readonly OciNamespace[];
  readonly uidMappings?: readonly OciIdMapping[];
  readonly gidMappings?: readonly OciIdMapping[];
  readonly timeOffsets?: { readonly boottime?: OciTimeOffset; readonly monotonic?: OciTimeOffset };
  readonly devices?: readonly OciDevice[];
  readonly netDevices?: Readonly<Record<string, { readonly name?: string }>>;
  readonly cgroupsPath?: string;
  readonly resources?: OciResources;
  readonly rootfsPropagation?: OciRootfsPropagation;
  readonly seccomp?: OciSeccomp;
  readonly sysctl?: Readonly<Record<string, string>>;
  /** Paths hidden from the container (a /dev/null or empty tmpfs over them). */
  readonly maskedPaths?: readonly string[];
  readonly readonlyPaths?: readonly string[];
  readonly mountLabel?: string;
  readonly personality?: { readonly domain?: 'LINUX' | 'LINUX32'; readonly flags?: readonly string[] };
}

export interface OciConfig {
  /** SemVer of the runtime-spec the document follows, e.g. `1.3.0`. */
  readonly ociVersion: string;
  readonly root?: OciRoot;
  readonly mounts?: readonly OciMount[];
  readonly process?: OciProcess;
  readonly hostname?: string;
  readonly domainname?: string;
  readonly hooks?: OciHooks;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly linux?: OciLinux;
}

export type OciStatus = 'creating' | 'created' | 'running' | 'stopped';

/** What `runtime state <id>` prints. */
export interface OciState {
  readonly ociVersion: string;
  readonly id: string;
  readonly status: OciStatus;
  /** Host pid of the container process; absent once it has stopped. */
  readonly pid?: number;
  /** Absolute path of the bundle directory. */
  readonly bundle: string;
  readonly annotations?: Readonly<Record<string, string>>;
}
