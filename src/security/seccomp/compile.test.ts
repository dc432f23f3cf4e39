import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_ARCH, X32_SYSCALL_BIT, compileSeccomp } from './compile.ts';
import { SECCOMP_RET } from './bpf.ts';
import { runSeccompBpf } from './bpf-interpreter.test-helper.ts';
import { x86_64Syscalls } from './syscalls-x86-64.ts';
import { i386Syscalls } from './syscalls-i386.ts';
import { aarch64Syscalls } from './syscalls-aarch64.ts';
import type { SeccompProfile } from './profile.ts';

const NR = x86_64Syscalls();
const x86 = (name: string, args: bigint[] = []) => ({ nr: NR[name]!, arch: AUDIT_ARCH.X86_64, args });
const ERRNO = (n: number) => (SECCOMP_RET.ERRNO | n) >>> 0;

function run(profile: SeccompProfile, call: { nr: number; arch: number; args?: bigint[] }): number {
  return runSeccompBpf(compileSeccomp(profile).program, call);
}

test('a denied call returns its errno and other calls get the default action', () => {
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
  assert.equal(run(profile, x86('mkdir')), ERRNO(1));
  assert.equal(run(profile, x86('mkdirat')), ERRNO(1));
  assert.equal(run(profile, x86('read')), SECCOMP_RET.ALLOW);
});

test('every action maps to its SECCOMP_RET value, with errnoRet for ERRNO and TRACE', () => {
  const cases: [string, number | undefined, number][] = [
    ['SCMP_ACT_KILL', undefined, SECCOMP_RET.KILL_THREAD], ['SCMP_ACT_KILL_THREAD', undefined, SECCOMP_RET.KILL_THREAD],
    ['SCMP_ACT_KILL_PROCESS', undefined, SECCOMP_RET.KILL_PROCESS], ['SCMP_ACT_TRAP', undefined, SECCOMP_RET.TRAP],
    ['SCMP_ACT_ERRNO', 38, ERRNO(38)], ['SCMP_ACT_TRACE', 7, (SECCOMP_RET.TRACE | 7) >>> 0], ['SCMP_ACT_LOG', undefined, SECCOMP_RET.LOG],
  ];
  for (const [action, errnoRet, want] of cases) {
    const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action, errnoRet }] };
    assert.equal(run(profile, x86('getpid')), want, action);
  }
  assert.equal(run({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 95, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }, x86('write')), ERRNO(95));
});

test('calls from an architecture the profile does not list are killed', () => {
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] };
  assert.equal(run(profile, { nr: i386Syscalls()['getpid']!, arch: AUDIT_ARCH.I386 }), SECCOMP_RET.KILL_PROCESS);
  assert.equal(run(profile, { nr: 0xb7, arch: 0xc00000b7 }), SECCOMP_RET.KILL_PROCESS);
  assert.equal(run(profile, { nr: X32_SYSCALL_BIT + 39, arch: AUDIT_ARCH.X86_64 }), SECCOMP_RET.KILL_PROCESS);
  assert.equal(run(profile, x86('getpid')), SECCOMP_RET.ALLOW);
});

test('x32, i386 and aarch64 calls follow the same rules by their own numbers', () => {
  const profile: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_PPC64LE'],
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
  };
  assert.equal(run(profile, { nr: X32_SYSCALL_BIT + NR['mkdir']!, arch: AUDIT_ARCH.X86_64 }), ERRNO(1));
  assert.equal(run(profile, { nr: X32_SYSCALL_BIT + NR['getpid']!, arch: AUDIT_ARCH.X86_64 }), SECCOMP_RET.ALLOW);
  assert.equal(run(profile, { nr: i386Syscalls()['mkdir']!, arch: AUDIT_ARCH.I386 }), ERRNO(1));
  assert.equal(run(profile, { nr: aarch64Syscalls()['mkdirat']!, arch: AUDIT_ARCH.AARCH64 }), ERRNO(1));
  assert.equal(run(profile, { nr: aarch64Syscalls()['getpid']!, arch: AUDIT_ARCH.AARCH64 }), SECCOMP_RET.ALLOW);
  assert.deepEqual(compileSeccomp(profile).skippedArchitectures, ['SCMP_ARCH_PPC64LE']);
  const x32Only: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X32'] };
  assert.equal(run(x32Only, x86('getpid')), SECCOMP_RET.KILL_PROCESS);
});

const OPS: Record<string, (arg: bigint, value: bigint, valueTwo: bigint) => boolean> = {
  SCMP_CMP_EQ: (a, v) => a === v, SCMP_CMP_NE: (a, v) => a !== v, SCMP_CMP_LT: (a, v) => a < v,
  SCMP_CMP_LE: (a, v) => a <= v, SCMP_CMP_GT: (a, v) => a > v, SCMP_CMP_GE: (a, v) => a >= v,
  SCMP_CMP_MASKED_EQ: (a, v, two) => (a & v) === two,
};

test('each operator compares all 64 bits of an argument, high word first', () => {
  const values = [0n, 1n, 0xffffffffn, 0x100000000n, 0x100000001n, 0x1ffffffffn, 2n ** 52n + 5n];
  const args = [...values, 2n ** 64n - 1n, 0x8000000000000000n, 0xffffffff00000000n];
  for (const [op, holds] of Object.entries(OPS)) {
    for (const value of values) {
      const valueTwo = op === 'SCMP_CMP_MASKED_EQ' ? value & 0x100000001n : 0n;
      const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, op, value: Number(value), valueTwo: Number(valueTwo) }] }] };
      const program = compileSeccomp(profile).program;
      for (const arg of args) {
        const got = runSeccompBpf(program, x86('ioctl', [0n, arg]));
        assert.equal(got === ERRNO(1), holds(arg, value, valueTwo), `${op} ${value}: arg ${arg}`);
      }
    }
  }
});

test('conditions on different arguments must all hold, conditions on one argument are alternatives', () => {
  const both: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO',
    args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1 }, { index: 1, op: 'SCMP_CMP_EQ', value: 9 }] }] };
  assert.equal(run(both, x86('kill', [1n, 9n])), ERRNO(1));
  assert.equal(run(both, x86('kill', [1n, 15n])), SECCOMP_RET.ALLOW);
  const either: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO',
    args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 9 }, { index: 1, op: 'SCMP_CMP_EQ', value: 19 }] }] };
  assert.equal(run(either, x86('kill', [1n, 19n])), ERRNO(1));
  assert.equal(run(either, x86('kill', [1n, 9n])), ERRNO(1));
  assert.equal(run(either, x86('kill', [1n, 15n])), SECCOMP_RET.ALLOW);
});

test('when several rules of one call match, the most restrictive action wins', () => {
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0 }] },
    { names: ['personality'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 0, op: 'SCMP_CMP_LT', value: 8 }] },
    { names: ['personality'], action: 'SCMP_ACT_LOG' },
  ] };
  assert.equal(run(profile, x86('personality', [0n])), SECCOMP_RET.KILL_PROCESS);
  assert.equal(run(profile, x86('personality', [8n])), SECCOMP_RET.LOG);
});

test('names the tables do not know are skipped and reported', () => {
  const compiled = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'no_such_call'], action: 'SCMP_ACT_ERRNO' }] });
  assert.deepEqual(compiled.skippedSyscalls, ['no_such_call']);
  assert.equal(runSeccompBpf(compiled.program, x86('mkdir')), ERRNO(1));
});

test('a docker-sized allow list for three architectures fits the kernel limit', () => {
  const names = Object.keys(NR).filter((n) => n !== 'keyctl');
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86'],
    syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] };
  const compiled = compileSeccomp(profile);
  assert.ok(compiled.instructionCount < 4096);
  for (const name of names) assert.equal(runSeccompBpf(compiled.program, x86(name)), SECCOMP_RET.ALLOW, name);
  assert.equal(runSeccompBpf(compiled.program, x86('keyctl')), ERRNO(1));
});

test('a call with a chain longer than a conditional jump reaches is still decided correctly', () => {
  const rules = Array.from({ length: 80 }, (_, i) => ({ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1,
    args: [{ index: 1, op: 'SCMP_CMP_EQ', value: i + 100 }] }));
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [...rules, { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 3 }] };
  assert.equal(run(profile, x86('kill', [0n, 179n])), ERRNO(1));
  assert.equal(run(profile, x86('kill', [0n, 180n])), SECCOMP_RET.ALLOW);
  assert.equal(run(profile, x86('tkill')), ERRNO(3));
});

test('filter flags become SECCOMP_FILTER_FLAG bits', () => {
  const compiled = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] });
  assert.equal(compiled.flags, 7);
});

test('bad profiles are errors naming the field', () => {
  const cases: [SeccompProfile, string, string][] = [
    [{ defaultAction: 'SCMP_ACT_MAYBE' }, 'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.defaultAction'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op: 'SCMP_CMP_LIKE', value: 1 }] }] },
      'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.syscalls[0].args[0].op'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, op: 'SCMP_CMP_EQ', value: 1 }] }] },
      'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.syscalls[0].args[0].index'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_LOG', errnoRet: 1 }] },
      'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.syscalls[0].errnoRet'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] }, 'ISOLA_SECCOMP_UNSUPPORTED', 'linux.seccomp.syscalls[0].action'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FAST'] }, 'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.flags[0]'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, 'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.architectures[0]'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_PPC64LE'] }, 'ISOLA_SECCOMP_UNSUPPORTED', 'linux.seccomp.architectures'],
    [{ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 70000 }, 'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.defaultErrnoRet'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: -1 }] }] },
      'ISOLA_SECCOMP_INVALID_PROFILE', 'linux.seccomp.syscalls[0].args[0].value'],
  ];
  for (const [profile, code, field] of cases) {
    assert.throws(() => compileSeccomp(profile), (err: { code: string; field: string }) => err.code === code && err.field === field, field);
  }
});
