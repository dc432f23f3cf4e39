/**
 * Linux capability names and docker's rules for --cap-add, --cap-drop and
 * --privileged. Numbers are the kernel's (include/uapi/linux/capability.h);
 * the runtime drops those above /proc/sys/kernel/cap_last_cap, so naming a
 * capability the running kernel lacks is not an error here.
 */
import { InvalidOptionError } from '../errors/index.ts';

/** Every capability by its `CAP_` name, index = kernel number. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** docker's default set (moby oci/caps/defaults.go), in docker's order. */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const numberByName: ReadonlyMap<string, number> = new Map(CAPABILITY_NAMES.map((name, index) => [name, index]));

/**
 * The canonical `CAP_X` name for `CAP_X`, `cap_x`, `X` or `x`.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for a name the table lacks.
 */
export function canonicalCapabilityName(name: string, option = 'capability'): CapabilityName {
  const upper = name.trim().toUpperCase();
  const canonical = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!numberByName.has(canonical)) {
    throw new InvalidOptionError(option, 'a Linux capability name such as CAP_NET_ADMIN or NET_ADMIN', name, {
      hint: 'see capabilities(7) for the list of names',
    });
  }
  return canonical as CapabilityName;
}

/**
 * The kernel number of a capability (CAP_CHOWN is 0).
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for an unknown name.
 */
export function capabilityNumber(name: string): number {
  return numberByName.get(canonicalCapabilityName(name)) as number;
}

/** A bit mask with bit N set for each capability N, as capget(2) and /proc show it. */
export function capabilityMask(names: Iterable<string>): bigint {
  let mask = 0n;
  for (const name of names) mask |= 1n << BigInt(capabilityNumber(name));
  return mask;
}

export interface CapabilityRequest {
  /** --cap-add values; `ALL` adds every capability. */
  readonly add: readonly string[];
  /** --cap-drop values; `ALL` starts from an empty set. */
  readonly drop: readonly string[];
  /** --privileged gives every capability and ignores add and drop. */
  readonly isPrivileged: boolean;
  /** The set to start from. @default DEFAULT_CAPABILITIES */
  readonly base?: readonly string[];
}

function normalizeList(names: readonly string[], option: string): readonly string[] {
  return names.map((name) => (name.trim().toUpperCase() === 'ALL' ? 'ALL' : canonicalCapabilityName(name, option)));
}

/**
 * The capability set docker would give (moby oci/caps TweakCapabilities):
 * privileged gives all; `--cap-add ALL` gives all but the dropped ones;
 * `--cap-drop ALL` gives only the added ones; otherwise the base minus the
 * dropped plus the added, so a capability both added and dropped is kept.
 * The result is sorted by kernel number, without duplicates.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) naming --cap-add or --cap-drop.
 */
export function resolveCapabilities(request: CapabilityRequest): CapabilityName[] {
  if (request.isPrivileged) return [...CAPABILITY_NAMES];
  const add = normalizeList(request.add, '--cap-add');
  const drop = normalizeList(request.drop, '--cap-drop');
  const base = normalizeList(request.base ?? DEFAULT_CAPABILITIES, 'capability');
  let result: readonly string[];
  if (add.includes('ALL')) {
    result = CAPABILITY_NAMES.filter((name) => !drop.includes(name));
  } else if (drop.includes('ALL')) {
    result = add;
  } else {
    result = [...base.filter((name) => !drop.includes(name)), ...add];
  }
  const unique = new Set(result);
  return CAPABILITY_NAMES.filter((name) => unique.has(name));
}
