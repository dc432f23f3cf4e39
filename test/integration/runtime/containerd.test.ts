/**
 * containerd drives bin/isola-runtime through its runc shim
 * (`ctr run --runc-binary`), on a containerd the test starts with a private
 * root, state and socket. The image is the host-rootfs fixture, imported
 * with podman (private storage) and saved as an OCI archive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runCommand } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { testHostBase } from './bundle.ts';
import { runtimeBin } from './runtime-cli.ts';
import { startPrivateContainerd } from './private-containerd.ts';

const NAMESPACE = `isola-test-${process.pid}`;

test('containerd runs containers with isola-runtime, with and without a user namespace', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'containerd') || !requireCommand(t, 'podman')) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const { ctr, stop } = await startPrivateContainerd(dirs, NAMESPACE);
    try {
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
      await stop();
      // The shim's cgroupsPath is /<namespace>/<id>: the runtime removes <id>, the parent is the test's to remove.
      const parents = await runCommand(['find', '/sys/fs/cgroup', '-maxdepth', '2', '-type', 'd', '-name', NAMESPACE]);
      for (const dir of parents.stdout.split('\n').filter((line) => line !== '')) await runCommand(['rmdir', dir]);
    }
  });
});
