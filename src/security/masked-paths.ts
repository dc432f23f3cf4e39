/**
 * docker's default masked and read-only paths (moby oci/defaults.go). The
 * masked ones leak host or hardware state (kernel keys, timers, the physical
 * memory image at /proc/kcore); the read-only ones are kernel settings that
 * a container root must not change for the whole host. A privileged
 * container gets neither list, as in docker.
 */

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export interface ProtectedPaths {
  readonly maskedPaths: readonly string[];
  readonly readonlyPaths: readonly string[];
}

/** The masked and read-only paths for a container; empty lists when privileged. */
export function protectedPaths(isPrivileged: boolean): ProtectedPaths {
  if (isPrivileged) return { maskedPaths: [], readonlyPaths: [] };
  return { maskedPaths: [...DEFAULT_MASKED_PATHS], readonlyPaths: [...DEFAULT_READONLY_PATHS] };
}
