/**
 * containerd's runc shim drives a long-running isola-runtime container the way
 * Kubernetes does: a detached task, `exec` into it, `ps`, `pause`/`resume`,
 * `kill`, delete. containerd runs on a private root, state and socket; the
 * image is the busybox fixture, an OCI archive built here and imported with
 * `ctr images import`. The host must look the same afterwards: its device
 * nodes' owners, and no mount or cgroup left by the container.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage } from '../../fixtures/busybox-image.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { testHostBase } from './bundle.ts';
import { waitUntil } from './processes.ts';
import { runtimeBin } from './runtime-cli.ts';
import { startPrivateContainerd } from './private-containerd.ts';

const NAMESPACE = `isola-tasks-${process.pid}`;
const DEVICES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

/** Owner and mode of the host's device nodes: a runtime must never chown the host's node it binds in. */
async function deviceOwners(): Promise<string[]> {
  return Promise.all(DEVICES.map(async (path) => {
    const info = await stat(path);
    return `${path} ${info.uid}:${info.gid} ${(info.mode & 0o7777).toString(8)}`;
  }));
}

/** Mount points and cgroup directories that name `marker` (other tests run meanwhile, so only ours count). */
async function hostTraces(marker: string): Promise<string[]> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((line) => line.split(' ')[4] ?? '');
  const cgroups: string[] = [];
  for (const hierarchy of await readdir('/sys/fs/cgroup')) {
    const found = await runCommand(['find', join('/sys/fs/cgroup', hierarchy), '-maxdepth', '4', '-type', 'd', '-name', `*${marker}*`]);
    cgroups.push(...found.stdout.split('\n').filter((line) => line !== ''));
  }
  return [...mounts.filter((point) => point.includes(marker)), ...cgroups];
}

test('containerd runs a detached isola-runtime task, execs into it, pauses, kills and deletes it, leaving the host as it was', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'containerd') || !requireCommand(t, 'ctr')) return;
  const devicesBefore = await deviceOwners();
  await withTempDirs(async (dirs) => {
    const { ctr, stop } = await startPrivateContainerd(dirs, NAMESPACE);
    const ids = [`${NAMESPACE}-a`, `${NAMESPACE}-b`];
    try {
      const layout = join(dirs.base, 'layout');
      await buildBusyboxImage(layout);
      assert.equal((await runCommand(['tar', '-C', layout, '-cf', join(dirs.base, 'image.tar'), '.'])).code, 0);
      const imported = await ctr(['images', 'import', '--base-name', 'localhost/isola-busybox', join(dirs.base, 'image.tar')]);
      assert.equal(imported.code, 0, imported.stderr);
      const image = 'localhost/isola-busybox:latest';

      const base = testHostBase();
      for (const [i, id] of ids.entries()) {
        // The second one in a user namespace, as `ctr run --uidmap` asks for it.
        const maps = i === 0 ? [] : ['--uidmap', `0:${base}:65536`, '--gidmap', `0:${base}:65536`];
        const started = await ctr(['run', '-d', '--runc-binary', runtimeBin, ...maps, image, id, 'sh', '-c', 'trap "exit 7" TERM; sleep 1000 & wait']);
        assert.equal(started.code, 0, started.stderr);
        await waitUntil(async () => /RUNNING/.test((await ctr(['task', 'ls'])).stdout.split('\n').find((l) => l.startsWith(id)) ?? ''));

        const exec = await ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo from-exec; cat /proc/self/uid_map']);
        assert.equal(exec.code, 0, exec.stderr);
        const [line, uidMap] = exec.stdout.trim().split('\n');
        assert.equal(line, 'from-exec');
        assert.deepEqual(uidMap?.trim().split(/\s+/).map(Number), i === 0 ? [0, 0, 4294967295] : [0, base, 65536]);
        const failing = await ctr(['task', 'exec', '--exec-id', 'e2', id, 'sh', '-c', 'exit 3']);
        assert.equal(failing.code, 3, failing.stderr);

        // `ctr task ps` goes through the runtime's `ps --format json`.
        const ps = await ctr(['task', 'ps', id]);
        assert.equal(ps.code, 0, ps.stderr);
        assert.ok(ps.stdout.trim().split('\n').length >= 2, ps.stdout);

        assert.equal((await ctr(['task', 'pause', id])).code, 0);
        assert.match((await ctr(['task', 'ls'])).stdout.split('\n').find((l) => l.startsWith(id)) ?? '', /PAUSED/);
        assert.equal((await ctr(['task', 'resume', id])).code, 0);

        // SIGTERM, as `kill ID 15`: pid 1 in its namespace ends only through its handler.
        const killed = await ctr(['task', 'kill', id]);
        assert.equal(killed.code, 0, killed.stderr);
        await waitUntil(async () => /STOPPED/.test((await ctr(['task', 'ls'])).stdout.split('\n').find((l) => l.startsWith(id)) ?? ''));
        assert.match((await ctr(['task', 'ls'])).stdout, new RegExp(`${id}\\s+\\d+\\s+STOPPED`));
        const removed = await ctr(['task', 'rm', id]);
        assert.equal(removed.code, 0, removed.stderr);
        assert.equal((await ctr(['container', 'rm', id])).code, 0);
      }
      // The runc shim's cgroupsPath is /<namespace>/<id>: the parent stays, as with runc, and goes below.
      assert.deepEqual(await hostTraces(`${NAMESPACE}-`), []);
    } finally {
      for (const id of ids) {
        await ctr(['task', 'rm', '-f', id]);
        await ctr(['container', 'rm', id]);
      }
      await stop();
      for (const dir of await hostTraces(NAMESPACE)) await runCommand(['rmdir', dir]);
    }
  });
  assert.deepEqual(await deviceOwners(), devicesBefore);
});
