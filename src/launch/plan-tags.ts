/**
 * Record tags and bit values of the launch plan: native/plan.h in TypeScript.
 * plan-tags.test.ts fails when the two drift. Changing one is an interface
 * change: bump PLAN_VERSION on both sides.
 */
export const PLAN_VERSION = 5;

export const TAG = {
  namespaces: 1, uidMap: 2, gidMap: 3, mapWriter: 4, setupIds: 5, rootfs: 6, mount: 7, symlink: 8,
  maskPath: 9, readonlyPath: 10, hostname: 11, domainname: 12, loopbackUp: 13, rlimit: 14, user: 15,
  groups: 16, capabilities: 17, noNewPrivs: 18, cwd: 19, args: 20, env: 21, terminal: 22, oomScoreAdj: 23,
  seccomp: 24, newSession: 25, ensureDir: 26, cgroupProcs: 27, rootfsOverlay: 28, mountIdmap: 29,
  execFifo: 32, detach: 33, pidFile: 34, consoleSocket: 35, joinNamespace: 36, hook: 37, mknod: 38,
  exitFile: 42, logFile: 43, exitCommand: 44, attachSocket: 45,
  sysctl: 47, personality: 48, timeOffsets: 49, checkExecutable: 56,
  preserveFds: 60, stdinPipe: 70, makeCwd: 75, removeAtExit: 81, failureCommand: 82, stdinNull: 83, dieWithMonitor: 84,
} as const;

export const MOUNT_KIND = { bind: 1, recursive: 2, targetDir: 4, targetFile: 8, precreate: 16 } as const;
/** TAG_ROOTFS_OVERLAY flags. */
export const OVERLAY_FLAGS = { idmapLowers: 1, inUserns: 2 } as const;
/** MOUNT_ATTR_IDMAP: the bind is ID-mapped, by the shim, before the init runs. */
export const MOUNT_ATTR_IDMAP = 0x00100000;
export const MAP_WRITER = { direct: 1, helper: 2 } as const;
export const SECCOMP_PHASE = { beforeIdentity: 1, beforeExec: 2 } as const;
export const DETACH = { exit: 1, stay: 2 } as const;
export const HOOK_KIND = { createContainer: 1, startContainer: 2 } as const;

/** clone(2) namespace flags. */
export const CLONE_FLAGS = {
  mount: 0x00020000, uts: 0x04000000, ipc: 0x08000000, user: 0x10000000, pid: 0x20000000,
  net: 0x40000000, cgroup: 0x02000000,
} as const;
