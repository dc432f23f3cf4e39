import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readlink } from 'node:fs/promises';
import { requireRoot } from '../../helpers/requirements.ts';
import { runInContainer } from './run-in-container.ts';

const script = (text: string) => ['sh', '-c', text];

test('the command runs as pid 1 in new user, mount, pid, uts, ipc and net namespaces', async (t) => {
  if (!requireRoot(t)) return;
  const host = await Promise.all(['user', 'mnt', 'pid', 'uts', 'ipc', 'net'].map((ns) => readlink(`/proc/self/ns/${ns}`)));
  const r = await runInContainer([], script('echo $$; for n in user mnt pid uts ipc net; do readlink /proc/self/ns/$n; done'));
  assert.equal(r.code, 0, r.stderr);
  const [pid, ...inside] = r.stdout.trim().split('\n');
  assert.equal(pid, '1');
  inside.forEach((ns, i) => assert.notEqual(ns, host[i], `namespace ${ns} is the host's`));
});

test('the uid_map inside is exactly the requested multi-range map', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['--uidmap', '0:100000:1000', '--uidmap', '1000:300000:10', '--gidmap', '0:100000:65536'], ['cat', '/proc/self/uid_map']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)), [[0, 100000, 1000], [1000, 300000, 10]]);
});

test('--hostname sets the name and /etc/hostname and /etc/hosts follow it', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['--hostname', 'box1'], script('hostname; cat /etc/hostname; grep -c box1 /etc/hosts'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['box1', 'box1', '1']);
});

test('the private network has only a loopback, and it is up', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer([], script('ls /sys/class/net; cat /sys/class/net/lo/flags'));
  assert.equal(r.code, 0, r.stderr);
  const [devices, flags] = r.stdout.trim().split('\n');
  assert.equal(devices, 'lo');
  assert.equal(Number(flags) & 1, 1, 'IFF_UP');
});

test('--network host shares the host network namespace', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer(['--network', 'host'], ['readlink', '/proc/self/ns/net']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), await readlink('/proc/self/ns/net'));
});

test('/proc is fresh, /sys is read-only and /dev holds only the standard devices', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer([], script('ls /proc | grep -c "^[0-9]"; touch /sys/x 2>&1 | grep -c Read-only; ls /dev | tr "\\n" " "'));
  assert.equal(r.code, 0, r.stderr);
  const [pids, readonlySys, devs] = r.stdout.trim().split('\n');
  assert.ok(Number(pids) <= 3, `only the container's processes in /proc, saw ${pids}`);
  assert.equal(readonlySys, '1');
  for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'mqueue', 'fd', 'stdin', 'stdout', 'stderr']) {
    assert.ok(devs!.split(' ').includes(name), `/dev/${name} missing in ${devs}`);
  }
});

test('no file descriptor beyond 0-2 reaches the process, and its exe is its own binary', async (t) => {
  if (!requireRoot(t)) return;
  const r = await runInContainer([], script('ls /proc/self/fd | tr "\\n" " "; echo; readlink /proc/1/exe'));
  assert.equal(r.code, 0, r.stderr);
  const [fds, exe] = r.stdout.trim().split('\n');
  // ls itself opens the directory it lists (fd 3).
  assert.deepEqual(fds!.trim().split(' '), ['0', '1', '2', '3']);
  assert.match(exe!, /\/(dash|bash|sh)$/);
});
