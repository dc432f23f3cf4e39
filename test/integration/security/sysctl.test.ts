import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { prepareRootless, runRootless } from '../rootless/rootless-run.ts';
import { run } from './security-run.ts';

test('--sysctl sets namespaced keys inside and refuses one that would change the host', async (t) => {
  if (!requireRoot(t)) return;
  const r = await run(['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmax=123456'], 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['1', '123456']);
  const host = await run(['--sysctl', 'vm.swappiness=1'], 'true');
  assert.equal(host.code, 125);
  assert.match(host.stderr, /vm\.swappiness/);
  const sharedNet = await run(['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'], 'true');
  assert.equal(sharedNet.code, 125);
});

test('rootless, --sysctl sets a key of the container\'s own network namespace', async (t) => {
  if (!requireRoot(t, 'creates the rootless test user') || !requireCommand(t, 'newuidmap')) return;
  const setup = await prepareRootless();
  const r = await withTempDirs((dirs) => runRootless(setup, dirs, ['--sysctl', 'net.ipv4.ip_forward=1', '--', 'cat', '/proc/sys/net/ipv4/ip_forward']),
    { owner: setup.user });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1');
});
