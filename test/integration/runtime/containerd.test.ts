/**
 * containerd drives bin/isola-runtime through its runc shim
 * (`ctr run --runc-binary`), on a containerd the test starts with a private
 * root, state and socket. The image is the host-rootfs fixture, imported
 * with podman (private storage) and saved as an OCI archive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { testHostBase } from './bundle.ts';
import { waitUntil } from './processes.ts';
import { runtimeBin } from './runtime-cli.ts';

const NAMESPACE = `isola-test-${process.pid}`;

test('containerd runs containers with isola-runtime, with and without a user namespace', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'containerd') || !requireCommand(t, 'podman')) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const socket = join(dirs.base, 'containerd.sock');
    await writeFile(join(dirs.base, 'config.toml'), `version = 2
root = "${dirs.root}/containerd"
state = "${dirs.runroot}/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
`);
    const containerd = spawn('containerd', ['--config', join(dirs.base, 'config.toml')], { stdio: 'ignore' });
    const ctr = (args: readonly string[]): Promise<CommandResult> =>
      runCommand(['ctr', '--address', socket, '-n', NAMESPACE, ...args], { timeoutMs: 120_000 });
    try {
      await waitUntil(async () => (await ctr(['version'])).code === 0);
      const podman = ['podman', '--root', join(dirs.root, 'podman'), '--runroot', join(dirs.runroot, 'podman'), '--storage-driver', 'vfs'];
      await runCommand(['tar', '-C', rootfs, '-cf', join(dirs.base, 'rootfs.tar'), '.']);
      assert.equal((await runCommand([...podman, 'import', join(dirs.base, 'rootfs.tar'), 'localhost/isola-rootfs'])).code, 0);
      assert.equal((await runCommand([...podman, 'save', '--format', 'oci-archive', '-o', join(dirs.base, 'image.tar'), 'localhost/isola-rootfs'])).code, 0);
      await runCommand([...podman, 'rmi', '-af']);
      const imported = await ctr(['image', 'import', '--base-name', 'localhost/isola-rootfs', join(dirs.base, 'image.tar')]);
      assert.equal(imported.code, 0, imported.stderr);
      const image = 'localhost/isola-rootfs:latest';

      const run = await ctr(['run', '--runc-binary', runtimeBin, '--rm', image, 'c1', 'id', '-u']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), '0');

      const base = testHostBase();
      const mapped = await ctr(['run', '--runc-binary', runtimeBin, '--rm', '--uidmap', `0:${base}:65536`, '--gidmap', `0:${base}:65536`,
        image, 'c2', 'cat', '/proc/self/uid_map']);
      assert.equal(mapped.code, 0, mapped.stderr);
      assert.deepEqual(mapped.stdout.trim().split(/\s+/).map(Number), [0, base, 65536]);

      const status = await ctr(['run', '--runc-binary', runtimeBin, '--rm', image, 'c3', 'sh', '-c', 'exit 6']);
      assert.equal(status.code, 6, status.stderr);
    } finally {
      await ctr(['task', 'rm', '-f', 'c1']);
      containerd.kill('SIGTERM');
      await new Promise((resolve) => containerd.once('exit', resolve));
      // The runc shim keeps the runtime's state under /run/containerd/runc/<namespace>.
      await rm(`/run/containerd/runc/${NAMESPACE}`, { recursive: true, force: true });
      // The shim's cgroupsPath is /<namespace>/<id>: the runtime removes <id>, the parent is the test's to remove.
      const parents = await runCommand(['find', '/sys/fs/cgroup', '-maxdepth', '2', '-type', 'd', '-name', NAMESPACE]);
      for (const dir of parents.stdout.split('\n').filter((line) => line !== '')) await runCommand(['rmdir', dir]);
    }
  });
});
