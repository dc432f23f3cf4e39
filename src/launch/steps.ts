/**
 * Setup steps the shim reports on failure: native/steps.h in TypeScript.
 * steps.test.ts fails when the two drift.
 */
export const STEP_NAMES = {
  1: 'read-plan', 2: 'decode-plan', 3: 'precreate-target', 4: 'clone', 5: 'write-setgroups',
  6: 'write-uid-map', 7: 'write-gid-map', 8: 'run-newuidmap', 9: 'run-newgidmap', 10: 'wait-for-parent',
  11: 'set-setup-ids', 12: 'make-root-slave', 13: 'bind-rootfs', 14: 'open-rootfs', 15: 'set-rootfs-propagation',
  16: 'create-mount-target', 17: 'mount', 18: 'bind-mount', 19: 'set-mount-attrs', 20: 'set-propagation',
  21: 'create-symlink', 22: 'mask-path', 23: 'readonly-path', 24: 'readonly-rootfs', 25: 'open-console',
  26: 'send-console', 27: 'pivot-root', 28: 'set-hostname', 29: 'set-domainname', 30: 'loopback-up',
  31: 'set-rlimit', 32: 'set-oom-score-adj', 33: 'new-session', 34: 'set-controlling-tty', 35: 'drop-bounding-set',
  36: 'set-groups', 37: 'set-gid', 38: 'set-uid', 39: 'set-capabilities', 40: 'set-ambient', 41: 'no-new-privs',
  42: 'seccomp', 43: 'chdir', 44: 'close-fds', 45: 'exec', 46: 'sync', 47: 'monitor', 48: 'ensure-dir', 49: 'join-cgroup',
  75: 'fsops-read', 76: 'fsops-resolve', 77: 'fsops-mknod', 78: 'fsops-set-attrs', 79: 'fsops-setxattr',
  70: 'set-sysctl', 71: 'set-personality', 72: 'set-time-offsets',
  55: 'join-namespace', 56: 'make-exec-fifo', 57: 'wait-for-start', 58: 'write-pid-file', 59: 'console-socket', 60: 'run-hook', 61: 'make-device-node',
  50: 'idmap-userns', 51: 'idmap-mount', 52: 'mount-overlay', 53: 'pass-mount', 54: 'attach-mount',
  65: 'open-log', 66: 'log-pipe', 67: 'attach-log', 68: 'attach-socket',
  80: 'preserve-fds', 90: 'stdin-pipe', 95: 'make-cwd', 96: 'die-with-monitor',
} as const;

export type ShimStep = (typeof STEP_NAMES)[keyof typeof STEP_NAMES];

export function stepName(code: number): ShimStep | 'unknown' {
  return (STEP_NAMES as Record<number, ShimStep>)[code] ?? 'unknown';
}
