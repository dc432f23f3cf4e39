import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromDockerSeccompProfile, isDockerSeccompProfile, type DockerSeccompProfile } from './docker-profile.ts';
import { AUDIT_ARCH, compileSeccomp } from './compile.ts';
import { SECCOMP_RET } from './bpf.ts';
import { runSeccompBpf } from './bpf-interpreter.test-helper.ts';
import { x86_64Syscalls } from './syscalls-x86-64.ts';

const PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['s390_runtime_instr'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['s390x'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    { name: 'getpid', action: 'SCMP_ACT_ALLOW', args: null },
  ],
};

const nr = (name: string) => x86_64Syscalls()[name]!;

test('a profile with an archMap or includes/excludes is recognised as the file format, an OCI one is not', () => {
  assert.equal(isDockerSeccompProfile(PROFILE), true);
  assert.equal(isDockerSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }), false);
});

test('rules apply by the container\'s capabilities, the host architecture and the kernel version', () => {
  const oci = fromDockerSeccompProfile(PROFILE, { capabilities: ['CAP_KILL'], kernelVersion: '6.1' });
  assert.deepEqual(oci.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(oci.syscalls?.map((r) => `${r.names.join(',')}:${r.action}`),
    ['read,write:SCMP_ACT_ALLOW', 'arch_prctl:SCMP_ACT_ALLOW', 'bpf:SCMP_ACT_ERRNO', 'ptrace:SCMP_ACT_ALLOW', 'getpid:SCMP_ACT_ALLOW']);
  const admin = fromDockerSeccompProfile(PROFILE, { capabilities: ['CAP_SYS_ADMIN'], kernelVersion: '4.4' });
  assert.deepEqual(admin.syscalls?.map((r) => `${r.names.join(',')}:${r.action}`),
    ['read,write:SCMP_ACT_ALLOW', 'arch_prctl:SCMP_ACT_ALLOW', 'bpf:SCMP_ACT_ALLOW', 'getpid:SCMP_ACT_ALLOW']);
});

test('the converted profile compiles and decides as the file says', () => {
  const { program } = compileSeccomp(fromDockerSeccompProfile(PROFILE, { capabilities: [] }));
  const decide = (name: string) => runSeccompBpf(program, { nr: nr(name), arch: AUDIT_ARCH.X86_64 });
  assert.equal(decide('read'), SECCOMP_RET.ALLOW);
  assert.equal(decide('bpf'), (SECCOMP_RET.ERRNO | 1) >>> 0);
  assert.equal(decide('mkdir'), (SECCOMP_RET.ERRNO | 38) >>> 0);
});
