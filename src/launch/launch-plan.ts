/**
 * LaunchPlan: every decision about one container process, resolved by
 * TypeScript, in the order the shim carries it out. The shim has no
 * defaults: what is not in the plan does not happen.
 */
import type { IdMapEntry } from '../userns/index.ts';

export type NamespaceKind = 'user' | 'mount' | 'pid' | 'uts' | 'ipc' | 'net' | 'cgroup';

export type MapWriterPlan =
  | { readonly method: 'direct'; readonly denySetgroups: boolean }
  | { readonly method: 'helper'; readonly newuidmap: string; readonly newgidmap: string };

export interface PlanIdMaps {
  readonly uidMap: readonly IdMapEntry[];
  readonly gidMap: readonly IdMapEntry[];
  readonly writer: MapWriterPlan;
  /** Ids the init takes inside the namespace right after the maps, for setup. */
  readonly setupIds?: { readonly uid: number; readonly gid: number } | undefined;
}

export interface PlanMount {
  /** Host path for binds; for other types what mount(2) takes as source. */
  readonly source: string;
  /** Absolute path inside the rootfs, resolved there by the shim. */
  readonly destination: string;
  readonly fstype: string;
  /** MS_* flags for mount(2); unused for binds. */
  readonly flags: number;
  readonly data: string;
  readonly isBind: boolean;
  readonly isRecursive: boolean;
  /** What to create when the destination is missing. */
  readonly createTarget: 'dir' | 'file' | 'none';
  /** Create the target before clone, with the caller's credentials. */
  readonly isPrecreated: boolean;
  /** MOUNT_ATTR_* bits applied to a bind. */
  readonly attrSet: number;
  /**
   * ID-map the bind (the shim makes it before the init runs): with the
   * container's own maps, or with these (inside = the id on disk).
   */
  readonly idmap?: 'container' | { readonly uidMap: readonly IdMapEntry[]; readonly gidMap: readonly IdMapEntry[] } | undefined;
  /** MS_PRIVATE, MS_SLAVE, ... (with MS_REC) applied after mounting, or 0. */
  readonly propagation: number;
}

/**
 * The rootfs as an overlay, mounted onto `rootfs.path` (an empty directory)
 * in the container's mount namespace only.
 */
export interface PlanRootfsOverlay {
  /** Lower directories, top first (overlay's lowerdir order). */
  readonly lowers: readonly string[];
  readonly upper: string;
  readonly work: string;
  /** Extra overlay options, comma-separated (`userxattr`). */
  readonly options: string;
  /** ID-map each lower with the container's maps (root, ID-mapped mounts available). */
  readonly isIdmapped: boolean;
  /**
   * Mounted by the init inside the container's user namespace (rootless)
   * rather than by the shim, privileged, before the init runs.
   */
  readonly isInUserns: boolean;
}

export interface PlanRlimit {
  readonly resource: number;
  readonly soft: bigint;
  readonly hard: bigint;
}

export interface PlanCapabilities {
  readonly bounding: bigint;
  readonly effective: bigint;
  readonly permitted: bigint;
  readonly inheritable: bigint;
  readonly ambient: bigint;
}

export interface PlanSeccomp {
  /** struct sock_filter[] bytes. */
  readonly program: Uint8Array;
  /** SECCOMP_FILTER_FLAG_* bits. */
  readonly flags: number;
  /**
   * When the shim loads it: without no_new_privs the kernel wants
   * CAP_SYS_ADMIN, so before the identity change; with it, right before execve.
   */
  readonly phase: 'before-identity' | 'before-exec';
}

/** CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets of a new time namespace. */
export interface PlanTimeOffsets {
  readonly monotonic: { readonly secs: bigint; readonly nanosecs: number };
  readonly boottime: { readonly secs: bigint; readonly nanosecs: number };
}

/** A detached container's monitor: what it keeps and what it runs when the container exits. */
export interface MonitorPlan {
  /** Where the monitor writes "RAW_WAIT_STATUS SECONDS.NANOS", atomically, when the container exits. */
  readonly exitFile: string;
  /** The k8s-file log of the container's stdout and stderr (or terminal). */
  readonly log?: { readonly path: string; readonly maxBytes: number; readonly keepFiles: number } | undefined;
  /** argv the monitor execs once the exit file is written (the engine's cleanup). */
  readonly exitCommand?: readonly string[] | undefined;
  /** A unix socket the monitor listens on for `attach`: output to clients, their input to the terminal. */
  readonly attachSocket?: string | undefined;
  /** The container's stdin is a pipe the monitor holds open and attach clients write to (`run -d -i` without -t). */
  readonly hasStdinPipe?: boolean | undefined;
}

/**
 * A takeover (execShim): the shim runs the container in the place of the
 * process that exec'd it, and does what that process would have done after.
 */
export interface TakeoverPlan {
  /** Removed in order, each with all under it (no symlink followed), once the container is gone or failed to start. */
  readonly removeAtExit: readonly string[];
  /**
   * argv exec'd when the launch fails, with the failure report appended in
   * hex (decodeTakeoverFailure): it explains the failure and exits.
   */
  readonly failureCommand: readonly string[];
  /** The container's stdin is /dev/null rather than the caller's. */
  readonly isStdinNull: boolean;
}

export interface PlanDeviceNode {
  /** Absolute path inside the rootfs. */
  readonly path: string;
  readonly type: 'char' | 'block' | 'fifo';
  readonly major: number;
  readonly minor: number;
  /** Permission bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** An OCI hook the init runs in the container's namespaces. */
export interface PlanHook {
  readonly kind: 'createContainer' | 'startContainer';
  /** Seconds; 0 waits as long as it takes. */
  readonly timeoutSeconds: number;
  readonly path: string;
  /** argv, argv[0] included. */
  readonly args: readonly string[];
  readonly env: readonly string[];
  /** The state JSON on its stdin: the init writes `stateBeforePid`, its host pid, then `stateAfterPid`. */
  readonly stateBeforePid: string;
  readonly stateAfterPid: string;
}

/** How the shim parts from the process it launched (native/plan.h DETACH_*). */
export type DetachMode = 'exit' | 'stay';

/**
 * The working directory made in the rootfs (resolved in it, never out of it),
 * with its missing parents, when it is not there.
 */
export interface PlanMakeCwd {
  /** cwd, lexically normalised. */
  readonly path: string;
  /** By the shim before clone, as the caller; else by the init after the mounts, as the setup ids. */
  readonly isPrecreated: boolean;
  /** Given to the directory itself when it is made; undefined leaves it to its maker. */
  readonly owner?: { readonly uid: number; readonly gid: number } | undefined;
}

export interface LaunchPlan {
  /** With detach 'stay': the shim is a detached container's monitor (log, exit file, exit command). */
  readonly monitor?: MonitorPlan | undefined;
  /** Namespaces created for the process. */
  readonly namespaces: readonly NamespaceKind[];
  /** Existing namespaces joined (setns) before the process is cloned; the user namespace first. */
  readonly joinNamespaces?: readonly { readonly kind: NamespaceKind; readonly path: string }[] | undefined;
  /**
   * A fifo the shim makes; the init blocks on it after setup, before taking
   * its final identity, until someone opens it for reading (OCI start).
   */
  readonly execFifo?: string | undefined;
  /**
   * Unset: the shim monitors the process until it exits. 'exit': the shim
   * exits once the process is created (with execFifo) or executed; 'stay':
   * it stays the parent and monitor, and tolerates nobody reading its reports.
   */
  readonly detach?: DetachMode | undefined;
  /** Written with the process's host pid once it is created (or executed). */
  readonly pidFile?: string | undefined;
  /** createContainer hooks (after the mounts, before pivot_root) and startContainer hooks (after start). */
  readonly hooks?: readonly PlanHook[] | undefined;
  /** A unix socket the pty master is sent to (SCM_RIGHTS) instead of being relayed. */
  readonly consoleSocket?: string | undefined;
  /** cgroup.procs files the init is written into before it runs anything. */
  readonly cgroupProcs?: readonly string[] | undefined;
  readonly idMaps?: PlanIdMaps | undefined;
  readonly rootfs?: { readonly path: string; readonly propagation: number; readonly isReadonly: boolean } | undefined;
  readonly rootfsOverlay?: PlanRootfsOverlay | undefined;
  readonly ensureDirs: readonly { readonly path: string; readonly isPrecreated: boolean }[];
  readonly mounts: readonly PlanMount[];
  /** Device nodes made with mknod after the mounts (only without a user namespace of its own). */
  readonly deviceNodes?: readonly PlanDeviceNode[] | undefined;
  readonly symlinks: readonly { readonly target: string; readonly path: string }[];
  readonly maskedPaths: readonly string[];
  readonly readonlyPaths: readonly string[];
  readonly hostname?: string | undefined;
  readonly domainname?: string | undefined;
  readonly isLoopbackUp: boolean;
  readonly rlimits: readonly PlanRlimit[];
  readonly oomScoreAdj?: number | undefined;
  readonly hasNewSession: boolean;
  /**
   * Look the command up in the rootfs before create returns, so a missing one
   * fails create; only when no hook running after create could add it.
   */
  readonly isExecutableCheckedAtCreate?: boolean | undefined;
  readonly terminal?: { readonly rows: number; readonly cols: number; readonly isHostRaw: boolean } | undefined;
  readonly user: { readonly uid: number; readonly gid: number; readonly umask: number };
  /** Supplementary groups; undefined leaves them as inherited (setgroups denied). */
  readonly additionalGids?: readonly number[] | undefined;
  readonly capabilities: PlanCapabilities;
  readonly noNewPrivileges: boolean;
  readonly seccomp?: PlanSeccomp | undefined;
  /** Written after the mounts: `path` is under /proc/sys inside the rootfs. */
  readonly sysctls?: readonly { readonly path: string; readonly value: string }[] | undefined;
  /** personality(2) persona, set before execve. */
  readonly personality?: number | undefined;
  /**
   * --preserve-fds N: the caller's fds 3..3+N-1 become the process's fds of
   * the same numbers (spawnShim passes them to the shim). @default 0
   */
  readonly preservedFds?: number | undefined;
  /** Set by execShim; spawnShim refuses it. */
  readonly takeover?: TakeoverPlan | undefined;
  /** A new time namespace with these offsets, entered by the init before anything else. */
  readonly timeOffsets?: PlanTimeOffsets | undefined;
  readonly cwd: string;
  /** Makes cwd when the rootfs lacks it; undefined leaves a missing one to fail chdir. */
  readonly makeCwd?: PlanMakeCwd | undefined;
  readonly args: readonly string[];
  readonly env: readonly string[];
}
