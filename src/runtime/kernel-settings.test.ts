import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPersonality, planSeccomp, planSysctls, planTimeOffsets } from './kernel-settings.ts';
import type { OciConfig, OciLinux } from './oci-config.ts';

const withLinux = (linux: OciLinux, noNewPrivileges = false): OciConfig => ({
  ociVersion: '1.3.0', process: { user: { uid: 0, gid: 0 }, cwd: '/', noNewPrivileges }, linux,
});
const ns = (...types: string[]) => types.map((type) => ({ type: type as 'ipc' }));

test('namespaced sysctls become /proc/sys paths; a key with a slash keeps its dots', () => {
  const config = withLinux({ namespaces: ns('network', 'ipc', 'uts'), sysctl: {
    'net.ipv4.ip_forward': '1', 'kernel.shmmax': '9', 'kernel.sem': '1 2 3 4', 'fs.mqueue.msg_max': '20', 'kernel.domainname': 'd',
    'net/ipv4/conf/eth0.100/forwarding': '1' } });
  assert.deepEqual(planSysctls(config).map((s) => s.path), ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/kernel/shmmax', '/proc/sys/kernel/sem',
    '/proc/sys/fs/mqueue/msg_max', '/proc/sys/kernel/domainname', '/proc/sys/net/ipv4/conf/eth0.100/forwarding']);
});

test('a sysctl no namespace isolates, or whose namespace the container shares with the host, is refused', () => {
  const cases: [OciLinux, string, string][] = [
    [{ namespaces: ns('network'), sysctl: { 'vm.swappiness': '1' } }, 'ISOLA_RUNTIME_UNSUPPORTED', 'linux.sysctl["vm.swappiness"]'],
    [{ namespaces: ns('ipc'), sysctl: { 'net.ipv4.ip_forward': '1' } }, 'ISOLA_RUNTIME_INVALID_CONFIG', 'linux.sysctl["net.ipv4.ip_forward"]'],
    [{ namespaces: ns('network'), sysctl: { 'kernel.msgmax': '1' } }, 'ISOLA_RUNTIME_INVALID_CONFIG', 'linux.sysctl["kernel.msgmax"]'],
    [{ namespaces: ns('network'), sysctl: { 'net.ipv4..x': '1' } }, 'ISOLA_RUNTIME_INVALID_CONFIG', 'linux.sysctl["net.ipv4..x"]'],
    [{ namespaces: ns('network'), sysctl: { 'net/../../etc': '1' } }, 'ISOLA_RUNTIME_INVALID_CONFIG', 'linux.sysctl["net/../../etc"]'],
  ];
  for (const [linux, code, field] of cases) {
    assert.throws(() => planSysctls(withLinux(linux)), (err: { code: string; field: string }) => err.code === code && err.field === field, field);
  }
});

test('personality domains map to persona numbers and flags are refused', () => {
  assert.equal(planPersonality(withLinux({ personality: { domain: 'LINUX32' } })), 8);
  assert.equal(planPersonality(withLinux({ personality: { domain: 'LINUX' } })), 0);
  assert.equal(planPersonality(withLinux({})), undefined);
  assert.throws(() => planPersonality(withLinux({ personality: { domain: 'LINUX', flags: ['X'] } })), { code: 'ISOLA_RUNTIME_UNSUPPORTED' });
});

test('a time namespace gets the offsets, zero by default, and offsets need one', () => {
  assert.deepEqual(planTimeOffsets(withLinux({ namespaces: ns('time'), timeOffsets: { monotonic: { secs: -5, nanosecs: 7 } } })),
    { monotonic: { secs: -5n, nanosecs: 7 }, boottime: { secs: 0n, nanosecs: 0 } });
  assert.equal(planTimeOffsets(withLinux({})), undefined);
  assert.throws(() => planTimeOffsets(withLinux({ timeOffsets: {} })), { field: 'linux.timeOffsets' });
  assert.throws(() => planTimeOffsets(withLinux({ namespaces: [{ type: 'pid' }, { type: 'time', path: '/proc/1/ns/time' }] })),
    { code: 'ISOLA_RUNTIME_UNSUPPORTED', field: 'linux.namespaces[1].path' });
  assert.throws(() => planTimeOffsets(withLinux({ namespaces: ns('time'), timeOffsets: { boottime: { nanosecs: 1e9 } } })),
    { field: 'linux.timeOffsets.boottime.nanosecs' });
});

test('the filter loads before the identity change unless noNewPrivileges lets it wait for execve', async () => {
  const seccomp = { defaultAction: 'SCMP_ACT_ALLOW' as const };
  assert.equal((await planSeccomp(withLinux({ seccomp })))?.phase, 'before-identity');
  assert.equal((await planSeccomp(withLinux({ seccomp }, true)))?.phase, 'before-exec');
  assert.equal(await planSeccomp(withLinux({})), undefined);
});
