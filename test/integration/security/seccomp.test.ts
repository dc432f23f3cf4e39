import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { requireCommand, requireRoot, requireThat } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from '../rootless/rootless-run.ts';
import { profileFile, run } from './security-run.ts';

test('a profile that denies mkdir makes mkdir fail with EPERM and leaves other calls alone', async (t) => {
  if (!requireRoot(t)) return;
  const path = await profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
  const r = await run(['--security-opt', `seccomp=${path}`], 'mkdir /tmp/d; echo mkdir=$?; touch /tmp/f && echo touched');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['mkdir=1', 'touched']);
  assert.match(r.stderr, /Operation not permitted/);
});

test('the default profile denies keyctl and unshare -U but runs ordinary commands', async (t) => {
  if (!requireRoot(t)) return;
  const r = await run([], 'keyctl show >/dev/null 2>&1; echo keyctl=$?; unshare -U true 2>/dev/null; echo unshare=$?; mkdir /tmp/d && echo mkdir=0; grep "^Seccomp:" /proc/self/status');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['keyctl=1', 'unshare=1', 'mkdir=0', 'Seccomp:\t2']);
});

test('seccomp=unconfined and --privileged run without a filter', async (t) => {
  if (!requireRoot(t)) return;
  const script = 'unshare -U true && echo unshare=0; grep "^Seccomp:" /proc/self/status';
  for (const flags of [['--security-opt', 'seccomp=unconfined'], ['--privileged']]) {
    const r = await run(flags, script);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['unshare=0', 'Seccomp:\t0'], flags.join(' '));
  }
});

test('a profile with an unknown action fails before anything runs and leaves nothing behind', async (t) => {
  if (!requireRoot(t)) return;
  const path = await profileFile(t, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_SOMETIMES' }] });
  const r = await run(['--security-opt', `seccomp=${path}`], 'true', async (dirs) => {
    assert.deepEqual(await readdir(join(dirs.runroot, 'containers')).catch(() => []), []);
  });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^isola: linux\.seccomp\.syscalls\[0\]\.action: /);
});

test('rootless, the default profile is loaded for a user without capabilities', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  const script = 'id -u; grep "^Seccomp:" /proc/self/status; grep "^CapEff:" /proc/self/status';
  const r = await withTempDirs((dirs) => runRootless(setup, dirs, ['--userns=keep-id', '--', 'sh', '-c', script]), { owner: setup.user });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [String(setup.user.uid), 'Seccomp:\t2', 'CapEff:\t0000000000000000']);
});

test('a profile that denies the shim\'s own setup calls fails at that step with a hint about the profile', async (t) => {
  if (!requireRoot(t)) return;
  const path = await profileFile(t, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] });
  const r = await run(['--security-opt', `seccomp=${path}`], 'true');
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^isola: set-uid failed .*EPERM \(the seccomp profile/);
});

test('--security-opt no-new-privileges sets no_new_privs and the filter still applies', async (t) => {
  if (!requireRoot(t)) return;
  const r = await run(['--security-opt', 'no-new-privileges'], 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; unshare -U true 2>/dev/null; echo unshare=$?');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['NoNewPrivs:\t1', 'Seccomp:\t2', 'unshare=1']);
});

const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';

test('podman\'s own seccomp.json (docker\'s file format) works with --security-opt', async (t) => {
  if (!requireRoot(t) || !requireThat(t, existsSync(PODMAN_PROFILE), `needs ${PODMAN_PROFILE} (Debian package golang-github-containers-common)`)) return;
  const r = await run(['--security-opt', `seccomp=${PODMAN_PROFILE}`],
    'grep "^Seccomp:" /proc/self/status; unshare -U true && echo unshare=0; mkdir /tmp/d && echo mkdir=0');
  assert.equal(r.code, 0, r.stderr);
  // A filter is on, and it is podman's: unlike isola's default it allows unshare.
  assert.deepEqual(r.stdout.trim().split('\n'), ['Seccomp:\t2', 'unshare=0', 'mkdir=0']);
});
