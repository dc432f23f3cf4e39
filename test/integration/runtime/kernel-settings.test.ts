/**
 * config.json's kernel settings run through the runtime itself (no engine):
 * seccomp in both load phases, personality, a time namespace with offsets.
 * The container's verdict is its exit status; its output is discarded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireRoot } from '../../helpers/requirements.ts';
import { locateShim, readHostContext, runContainer, type OciConfig } from '../../../src/runtime/index.ts';

const MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];
const DENY_MKDIR = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] } as const;

function config(rootfs: string, script: string, extra: { process?: Partial<NonNullable<OciConfig['process']>>; linux?: Partial<NonNullable<OciConfig['linux']>> }): OciConfig {
  return {
    ociVersion: '1.3.0',
    root: { path: rootfs },
    process: { user: { uid: 0, gid: 0 }, cwd: '/', args: ['sh', '-c', `exec >/dev/null 2>&1; ${script}`], env: ['PATH=/usr/bin:/bin'], ...extra.process },
    // /tmp on a tmpfs: the rootfs fixture is shared and must stay as built. /dev is not
    // sticky and world-writable: there, opening the host's /dev/null (owned by an
    // unmapped root) with O_CREAT fails with EACCES (may_create_in_sticky).
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs' }],
    linux: {
      namespaces: ['user', 'pid', 'mount', 'ipc', 'uts', 'network'].map((type) => ({ type: type as 'user' })),
      uidMappings: MAP, gidMappings: MAP, devices: [{ type: 'c', path: '/dev/null', major: 1, minor: 3 }], ...extra.linux,
    },
  };
}

async function exitCode(script: string, extra: Parameters<typeof config>[2]): Promise<number | undefined> {
  const rootfs = await ensureHostRootfs();
  const launched = await runContainer(config(rootfs, script, extra), {
    host: await readHostContext('/usr/sbin:/usr/bin:/sbin:/bin'), bundle: '/', shimPath: await locateShim(),
    isInteractive: false, isHostTerminalRaw: false,
  });
  return (await launched.exited).code;
}

test('with noNewPrivileges the filter is loaded last and still applies', async (t) => {
  if (!requireRoot(t)) return;
  const script = 'grep -q "^NoNewPrivs:.1" /proc/self/status || exit 2; grep -q "^Seccomp:.2" /proc/self/status || exit 3; mkdir /tmp/x 2>/dev/null && exit 4; exit 0';
  assert.equal(await exitCode(script, { process: { noNewPrivileges: true }, linux: { seccomp: DENY_MKDIR } }), 0);
});

test('without noNewPrivileges a user with no capabilities still gets the filter', async (t) => {
  if (!requireRoot(t)) return;
  const script = 'grep -q "^CapEff:.0000000000000000" /proc/self/status || exit 2; grep -q "^Seccomp:.2" /proc/self/status || exit 3; mkdir /tmp/x 2>/dev/null && exit 4; exit 0';
  assert.equal(await exitCode(script, { process: { user: { uid: 1000, gid: 1000 } }, linux: { seccomp: DENY_MKDIR } }), 0);
});

test('linux.personality LINUX32 makes uname report a 32-bit machine', async (t) => {
  if (!requireRoot(t)) return;
  assert.equal(await exitCode('test "$(uname -m)" = i686', { linux: { personality: { domain: 'LINUX32' } } }), 0);
});

test('a time namespace with a boottime offset moves the container\'s uptime', async (t) => {
  if (!requireRoot(t)) return;
  const tenYears = 315360000;
  const script = `read up idle < /proc/uptime; test "\${up%.*}" -ge ${tenYears}`;
  const namespaces = ['user', 'pid', 'mount', 'ipc', 'uts', 'network', 'time'].map((type) => ({ type: type as 'user' }));
  assert.equal(await exitCode(script, { linux: { namespaces, timeOffsets: { boottime: { secs: tenYears } } } }), 0);
  assert.equal(await exitCode(`read up idle < /proc/uptime; test "\${up%.*}" -lt ${tenYears}`, {}), 0);
});

test('a bad sysctl, personality or time offset is refused before anything starts', async (t) => {
  if (!requireRoot(t)) return;
  const cases: [Parameters<typeof config>[2], string][] = [
    [{ linux: { sysctl: { 'kernel.panic': '1' } } }, 'linux.sysctl["kernel.panic"]'],
    [{ linux: { personality: { domain: 'LINUX64' as 'LINUX' } } }, 'linux.personality.domain'],
    [{ linux: { timeOffsets: { monotonic: { secs: 5 } } } }, 'linux.timeOffsets'],
  ];
  for (const [extra, field] of cases) {
    await assert.rejects(exitCode('true', extra), (err: { field?: string }) => err.field === field, field);
  }
});
