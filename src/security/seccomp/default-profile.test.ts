import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_ARCH, compileSeccomp } from './compile.ts';
import { SECCOMP_RET } from './bpf.ts';
import { defaultSeccompProfile } from './default-profile.ts';
import { runSeccompBpf } from './bpf-interpreter.test-helper.ts';
import { x86_64Syscalls } from './syscalls-x86-64.ts';
import { DEFAULT_CAPABILITIES } from '../capabilities.ts';
import { validateOciConfig } from '../../spec/oci-schema.test-helper.ts';

const EPERM = (SECCOMP_RET.ERRNO | 1) >>> 0;
const ENOSYS = (SECCOMP_RET.ERRNO | 38) >>> 0;
const CLONE_NEWUSER = 0x10000000n;
const THREAD_FLAGS = 0x3d0f00n; // what pthread_create passes

function decide(caps: readonly string[], name: string, args: bigint[] = []): number {
  const { program } = compileSeccomp(defaultSeccompProfile({ capabilities: caps }));
  return runSeccompBpf(program, { nr: x86_64Syscalls()[name]!, arch: AUDIT_ARCH.X86_64, args });
}

test('the default profile denies the keyring, kexec, modules, bpf and new namespaces with EPERM', () => {
  for (const name of ['keyctl', 'add_key', 'request_key', 'kexec_load', 'init_module', 'bpf', 'unshare', 'setns', 'mount', 'userfaultfd', 'perf_event_open']) {
    assert.equal(decide(DEFAULT_CAPABILITIES, name), EPERM, name);
  }
  assert.equal(decide(DEFAULT_CAPABILITIES, 'clone', [CLONE_NEWUSER | 17n]), EPERM);
});

test('the default profile allows ordinary calls, threads and the setup the shim does after loading it', () => {
  for (const name of ['read', 'mkdir', 'openat', 'execve', 'prctl', 'setgroups', 'setresuid', 'capset', 'chdir', 'close_range', 'rt_sigaction', 'sendmsg', 'ptrace']) {
    assert.equal(decide(DEFAULT_CAPABILITIES, name), SECCOMP_RET.ALLOW, name);
  }
  assert.equal(decide(DEFAULT_CAPABILITIES, 'clone', [THREAD_FLAGS]), SECCOMP_RET.ALLOW);
  assert.equal(decide(DEFAULT_CAPABILITIES, 'personality', [8n]), SECCOMP_RET.ALLOW);
});

test('clone3 and unknown calls get ENOSYS so libc falls back', () => {
  assert.equal(decide(DEFAULT_CAPABILITIES, 'clone3'), ENOSYS);
  const { program } = compileSeccomp(defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES }));
  assert.equal(runSeccompBpf(program, { nr: 4000, arch: AUDIT_ARCH.X86_64 }), ENOSYS);
});

test('a capability lifts the denials the kernel would check it for', () => {
  const caps = [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_TIME'];
  assert.equal(decide(caps, 'unshare'), SECCOMP_RET.ALLOW);
  assert.equal(decide(caps, 'clone', [CLONE_NEWUSER]), SECCOMP_RET.ALLOW);
  assert.equal(decide(caps, 'clock_settime'), SECCOMP_RET.ALLOW);
  assert.equal(decide(caps, 'keyctl'), EPERM);
});

test('the default profile is a valid linux.seccomp per the runtime-spec schema', () => {
  const config = { ociVersion: '1.3.0', linux: { seccomp: defaultSeccompProfile({ capabilities: DEFAULT_CAPABILITIES }) } };
  assert.deepEqual(validateOciConfig(config), []);
});
