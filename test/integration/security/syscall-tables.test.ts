/**
 * The committed system call tables (generated from the kernel headers by
 * scripts/gen-syscall-tables.ts) agree with libseccomp's own tables, read
 * through its scmp_sys_resolver (Debian package seccomp), for every name
 * libseccomp knows. Names it does not know (newer than the library) or maps
 * to a pseudo call (i386 socket calls through socketcall) are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireCommand } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { x86_64Syscalls } from '../../../src/security/seccomp/syscalls-x86-64.ts';
import { x32Syscalls } from '../../../src/security/seccomp/syscalls-x32.ts';
import { i386Syscalls } from '../../../src/security/seccomp/syscalls-i386.ts';
import { aarch64Syscalls } from '../../../src/security/seccomp/syscalls-aarch64.ts';

const X32_SYSCALL_BIT = 0x40000000;

async function resolve(arch: string, names: readonly string[]): Promise<number[]> {
  const r = await runCommand(['sh', '-c', 'arch=$1; shift; for n; do scmp_sys_resolver -a "$arch" "$n"; done', 'sh', arch, ...names]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map(Number);
}

for (const [arch, table, offset] of [['x86_64', x86_64Syscalls(), 0], ['x32', x32Syscalls(), X32_SYSCALL_BIT], ['x86', i386Syscalls(), 0], ['aarch64', aarch64Syscalls(), 0]] as const) {
  test(`the ${arch} table agrees with libseccomp for every call libseccomp knows`, async (t) => {
    if (!requireCommand(t, 'scmp_sys_resolver')) return;
    const names = Object.keys(table);
    const numbers = await resolve(arch, names);
    assert.equal(numbers.length, names.length);
    const mismatches = names.filter((name, i) => numbers[i]! >= 0 && numbers[i] !== table[name]! + offset);
    assert.deepEqual(mismatches, []);
    assert.ok(numbers.filter((n) => n >= 0).length > 280, 'libseccomp knows most of the table');
  });
}
