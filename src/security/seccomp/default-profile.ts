/**
 * isola's default seccomp profile for `isola run`, written from the man pages
 * (seccomp(2), capabilities(7), each call's page): everything is allowed
 * except calls that reach kernel state a user namespace does not isolate, or
 * that widen the kernel's attack surface for little use in a container. A
 * call the host's tables do not know yet gets ENOSYS (the default action), so
 * libc falls back to an older call instead of failing with EPERM.
 *
 * Some denials lift when the container holds the capability that the kernel
 * would check anyway (as docker's and podman's profiles do), so `--cap-add`
 * keeps working; `--privileged` turns the filter off in spec/.
 */
import type { SeccompProfile, SeccompSyscallRule } from './profile.ts';
import { nativeArchitecture } from './profile.ts';
import { aarch64Syscalls } from './syscalls-aarch64.ts';
import { i386Syscalls } from './syscalls-i386.ts';
import { x32Syscalls } from './syscalls-x32.ts';
import { x86_64Syscalls } from './syscalls-x86-64.ts';

const EPERM = 1;
const ENOSYS = 38;

/** Denied whatever the capabilities: state shared with the host or other containers. */
const ALWAYS_DENIED = [
  // The kernel keyring is not namespaced: keys leak between containers (keyrings(7)).
  'keyctl', 'add_key', 'request_key',
  // Replacing the running kernel.
  'kexec_load', 'kexec_file_load',
  // Obsolete or legacy interfaces with a history of bugs.
  'uselib', '_sysctl', 'sysfs', 'ustat', 'create_module', 'get_kernel_syms', 'query_module', 'nfsservctl',
  'lookup_dcookie', 'vm86', 'vm86old',
  // A large attack surface (io_uring(7)) that programs can live without.
  'io_uring_setup', 'io_uring_enter', 'io_uring_register',
];

/** Denied unless the container holds the capability the kernel checks. */
const DENIED_WITHOUT: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_ADMIN: [
    'mount', 'umount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree',
    'mount_setattr', 'unshare', 'setns', 'swapon', 'swapoff', 'quotactl', 'quotactl_fd', 'fanotify_init', 'bpf',
    'perf_event_open', 'lsm_set_self_attr',
  ],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYSLOG: ['syslog'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  // Page faults handled in user space make kernel races easy to win.
  CAP_SYS_PTRACE: ['userfaultfd'],
};

/** clone(2) flags that create namespaces (NEWTIME NEWNS NEWCGROUP NEWUTS NEWIPC NEWUSER NEWPID NEWNET): refused without CAP_SYS_ADMIN, like unshare. */
const CLONE_NEW_FLAGS = [0x80, 0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000];

/**
 * personality(2) values programs use: PER_LINUX, PER_LINUX32, UNAME26 variants,
 * and the 0xffffffff query; others (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...)
 * weaken the process and get the default action.
 */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export interface DefaultSeccompOptions {
  /** The container's bounding set, `CAP_*` names: some denials lift with a capability. */
  readonly capabilities: readonly string[];
}

/**
 * On x86 the 32-bit ABIs stay usable (docker's choice); an aarch64 host gets
 * aarch64 alone, so 32-bit arm binaries are killed (no arm table here).
 */
function hostArchitectures(): { architectures: string[]; tables: Readonly<Record<string, number>>[] } {
  if (nativeArchitecture() === 'SCMP_ARCH_AARCH64') return { architectures: ['SCMP_ARCH_AARCH64'], tables: [aarch64Syscalls()] };
  return { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], tables: [x86_64Syscalls(), i386Syscalls(), x32Syscalls()] };
}

export function defaultSeccompProfile(options: DefaultSeccompOptions): SeccompProfile {
  const caps = new Set(options.capabilities);
  const denied = new Set(ALWAYS_DENIED);
  for (const [cap, names] of Object.entries(DENIED_WITHOUT)) if (!caps.has(cap)) names.forEach((n) => denied.add(n));
  const canMakeNamespaces = caps.has('CAP_SYS_ADMIN');
  // Argument-checked calls are listed below, not allowed outright.
  const checked = new Set(['personality', ...(canMakeNamespaces ? [] : ['clone3'])]);
  const { architectures, tables } = hostArchitectures();
  const allNames = [...new Set(tables.flatMap((table) => Object.keys(table)))].sort();
  const rules: SeccompSyscallRule[] = [
    { names: allNames.filter((n) => !denied.has(n) && !checked.has(n)), action: 'SCMP_ACT_ALLOW' },
    { names: [...denied].sort(), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    ...PERSONALITIES.map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
  ];
  if (!canMakeNamespaces) {
    // clone stays allowed (the first rule); a namespace flag makes this more restrictive rule win.
    rules.push(
      ...CLONE_NEW_FLAGS.map((flag) => ({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] })),
      // clone3 passes its flags in memory, which BPF cannot read: ENOSYS makes libc use clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    );
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: ENOSYS,
    architectures,
    syscalls: rules,
  };
}
