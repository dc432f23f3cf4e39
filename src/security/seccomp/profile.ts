/**
 * The OCI seccomp profile (config.json's linux.seccomp) checked and resolved
 * into numbers: actions into SECCOMP_RET_* values, flags into
 * SECCOMP_FILTER_FLAG_* bits, architectures into audit arch blocks. Field
 * types mirror runtime/'s OciSeccomp structurally (strings where the spec has
 * enums) so a config read from disk can be checked value by value.
 */
import { SECCOMP_RET } from './bpf.ts';
import { SeccompError } from './errors.ts';

export interface SeccompArgRule {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number | undefined;
  readonly op: string;
}

export interface SeccompSyscallRule {
  readonly names: readonly string[];
  readonly action: string;
  readonly errnoRet?: number | undefined;
  readonly args?: readonly SeccompArgRule[] | undefined;
}

export interface SeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number | undefined;
  readonly architectures?: readonly string[] | undefined;
  readonly flags?: readonly string[] | undefined;
  readonly listenerPath?: string | undefined;
  readonly listenerMetadata?: string | undefined;
  readonly syscalls?: readonly SeccompSyscallRule[] | undefined;
}

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** linux/seccomp.h SECCOMP_FILTER_FLAG_*, those the spec names. */
export const SECCOMP_FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1, SECCOMP_FILTER_FLAG_LOG: 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};

/** Architectures this compiler has tables for; the x32 ABI shares x86_64's audit arch. */
export const SECCOMP_ARCHITECTURES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64'] as const;
export type SeccompArchitecture = (typeof SECCOMP_ARCHITECTURES)[number];

/** Every name the spec's SeccompArch enum has; ones without a table are skipped (see resolveArchitectures). */
export const SPEC_ARCHITECTURES: readonly string[] = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
];

/** The kernel caps an errno return at MAX_ERRNO. */
const MAX_ERRNO = 4095;
const EPERM = 1;

function invalid(field: string, message: string, hint: string): SeccompError {
  return new SeccompError('ISOLA_SECCOMP_INVALID_PROFILE', `${field}: ${message}`, { field, hint });
}

function checkErrno(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ERRNO) {
    throw invalid(field, `errno ${value} is not a whole number from 0 to ${MAX_ERRNO}`, 'give an errno number such as 1 (EPERM) or 38 (ENOSYS)');
  }
  return value;
}

/**
 * The SECCOMP_RET_* value of an action. ERRNO and TRACE carry errnoRet
 * (default EPERM, as runc does); other actions take none.
 */
export function actionReturnValue(action: string, errnoRet: number | undefined, field: string, errnoField: string): number {
  const carries = action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
  if (errnoRet !== undefined && !carries) {
    throw invalid(errnoField, `${action} takes no errno`, 'remove it, or use SCMP_ACT_ERRNO');
  }
  const data = carries ? checkErrno(errnoRet ?? EPERM, errnoField) : 0;
  switch (action) {
    case 'SCMP_ACT_KILL': case 'SCMP_ACT_KILL_THREAD': return SECCOMP_RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS': return SECCOMP_RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP': return SECCOMP_RET.TRAP;
    case 'SCMP_ACT_ERRNO': return (SECCOMP_RET.ERRNO | data) >>> 0;
    case 'SCMP_ACT_TRACE': return (SECCOMP_RET.TRACE | data) >>> 0;
    case 'SCMP_ACT_ALLOW': return SECCOMP_RET.ALLOW;
    case 'SCMP_ACT_LOG': return SECCOMP_RET.LOG;
    case 'SCMP_ACT_NOTIFY':
      throw new SeccompError('ISOLA_SECCOMP_UNSUPPORTED', `${field}: SCMP_ACT_NOTIFY needs a seccomp listener, which isola does not hand out yet`,
        { field, hint: 'use SCMP_ACT_ERRNO or SCMP_ACT_TRACE for these calls' });
    default:
      throw invalid(field, `unknown action ${JSON.stringify(action)}`, `use one of ${SECCOMP_ACTIONS.join(', ')}`);
  }
}

export function filterFlags(profile: SeccompProfile, field: string): number {
  let flags = 0;
  (profile.flags ?? []).forEach((name, i) => {
    const bit = SECCOMP_FLAGS[name];
    if (bit === undefined || !Object.hasOwn(SECCOMP_FLAGS, name)) {
      throw invalid(`${field}.flags[${i}]`, `unknown flag ${JSON.stringify(name)}`, `use one of ${Object.keys(SECCOMP_FLAGS).join(', ')}`);
    }
    if (name === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV') {
      throw new SeccompError('ISOLA_SECCOMP_UNSUPPORTED', `${field}.flags[${i}]: ${name} applies only to a seccomp listener (SCMP_ACT_NOTIFY), which isola does not support yet`,
        { field: `${field}.flags[${i}]`, hint: 'remove the flag' });
    }
    flags |= bit;
  });
  return flags;
}

export interface ResolvedArchitectures {
  readonly included: ReadonlySet<SeccompArchitecture>;
  /**
   * Listed names this compiler has no table for (arm, ppc64le, ...). Skipping
   * them is safe: a process on an x86 or aarch64 host cannot make their calls,
   * and a call under an arch the filter lacks is killed.
   */
  readonly skipped: readonly string[];
}

/** The architecture of the host's own system calls. */
export function nativeArchitecture(): SeccompArchitecture {
  return process.arch === 'arm64' ? 'SCMP_ARCH_AARCH64' : 'SCMP_ARCH_X86_64';
}

/** The listed architectures, or the native one alone when none is listed (libseccomp's default). */
export function resolveArchitectures(profile: SeccompProfile, field: string): ResolvedArchitectures {
  const listed = profile.architectures ?? [];
  if (listed.length === 0) return { included: new Set([nativeArchitecture()]), skipped: [] };
  const included = new Set<SeccompArchitecture>();
  const skipped: string[] = [];
  listed.forEach((name, i) => {
    if ((SECCOMP_ARCHITECTURES as readonly string[]).includes(name)) included.add(name as SeccompArchitecture);
    else if (SPEC_ARCHITECTURES.includes(name)) skipped.push(name);
    else throw invalid(`${field}.architectures[${i}]`, `unknown architecture ${JSON.stringify(name)}`, `use names such as ${SECCOMP_ARCHITECTURES.join(', ')}`);
  });
  if (!included.has(nativeArchitecture()) && !(nativeArchitecture() === 'SCMP_ARCH_X86_64' && included.has('SCMP_ARCH_X32'))) {
    throw new SeccompError('ISOLA_SECCOMP_UNSUPPORTED', `${field}.architectures leaves out this host's ${nativeArchitecture()}, so the filter would kill every call`,
      { field: `${field}.architectures`, hint: `add ${nativeArchitecture()}` });
  }
  return { included, skipped };
}

/** A 64-bit argument operand as the two 32-bit words BPF compares. */
export function splitUint64(value: number, field: string): { readonly high: number; readonly low: number } {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, `${value} is not a whole number from 0 to 2^53-1`, 'give the operand as a non-negative JSON integer');
  }
  return { high: Math.floor(value / 2 ** 32) >>> 0, low: value % 2 ** 32 >>> 0 };
}
