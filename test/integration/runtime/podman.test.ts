/**
 * podman drives bin/isola-runtime (through conmon) on a private storage root:
 * run --rm, --uidmap, -d + exec + stop, with the containers.conf lines the
 * README documents. The image is the host-rootfs fixture, imported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { requireCommand, requireRoot } from '../../helpers/requirements.ts';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';
import { testHostBase } from './bundle.ts';
import { runtimeBin } from './runtime-cli.ts';

/** Root here lacks CAP_SYS_RESOURCE: podman's default rlimits could not be set by any runtime. */
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

test('podman runs, execs into and stops containers with isola-runtime', async (t) => {
  if (!requireRoot(t) || !requireCommand(t, 'podman')) return;
  const rootfs = await ensureHostRootfs();
  await withTempDirs(async (dirs) => {
    const conf = join(dirs.base, 'containers.conf');
    await writeFile(conf, `[containers]
default_sysctls = []
seccomp_profile = "unconfined"
[engine]
runtime = "isola"
runtime_supports_json = ["isola", "crun", "runc"]
runtime_supports_nocgroups = ["isola", "crun"]
cgroup_manager = "cgroupfs"
events_logger = "file"
[engine.runtimes]
isola = ["${runtimeBin}"]
`);
    const env = { ...process.env, CONTAINERS_CONF: conf };
    const podman = (args: readonly string[]): Promise<CommandResult> =>
      runCommand(['podman', '--root', dirs.root, '--runroot', dirs.runroot, '--storage-driver', 'vfs', ...args], { env, timeoutMs: 120_000 });
    try {
      await runCommand(['tar', '-C', rootfs, '-cf', join(dirs.base, 'rootfs.tar'), '.']);
      const imported = await podman(['import', join(dirs.base, 'rootfs.tar'), 'localhost/isola-rootfs']);
      assert.equal(imported.code, 0, imported.stderr);

      const run = await podman(['run', '--rm', '--network', 'none', ...ULIMITS, 'localhost/isola-rootfs', 'id', '-u']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, '0\n');

      const base = testHostBase();
      const mapped = await podman(['run', '--rm', '--network', 'none', ...ULIMITS, '--uidmap', `0:${base}:65536`, '--gidmap', `0:${base}:65536`,
        'localhost/isola-rootfs', 'cat', '/proc/self/uid_map']);
      assert.equal(mapped.code, 0, mapped.stderr);
      assert.deepEqual(mapped.stdout.trim().split(/\s+/).map(Number), [0, base, 65536]);

      const status = await podman(['run', '--rm', '--network', 'none', ...ULIMITS, 'localhost/isola-rootfs', 'sh', '-c', 'exit 3']);
      assert.equal(status.code, 3, status.stderr);

      const detached = await podman(['run', '-d', '--name', 'sleeper', '--network', 'none', ...ULIMITS, 'localhost/isola-rootfs', 'sleep', '600']);
      assert.equal(detached.code, 0, detached.stderr);
      const exec = await podman(['exec', 'sleeper', 'sh', '-c', 'grep -c sleep /proc/1/cmdline']);
      assert.equal(exec.code, 0, exec.stderr);
      assert.equal(exec.stdout, '1\n');
      // -it needs a terminal: script(1) gives podman one.
      const podmanLine = ['podman', '--root', dirs.root, '--runroot', dirs.runroot, '--storage-driver', 'vfs'].join(' ');
      const tty = await runCommand(['script', '-qec', `${podmanLine} exec -it sleeper sh -c '[ -t 0 ] && echo exec-tty-ok'`, '/dev/null'], { env });
      assert.equal(tty.code, 0, tty.stderr);
      assert.match(tty.stdout, /exec-tty-ok/);
      const stopped = await podman(['stop', '-t', '1', 'sleeper']);
      assert.equal(stopped.code, 0, stopped.stderr);
      const inspected = await podman(['inspect', '--format', '{{.State.Status}}', 'sleeper']);
      assert.equal(inspected.stdout.trim(), 'exited');
    } finally {
      await podman(['rm', '-af']);
      await podman(['rmi', '-af']);
    }
  });
});
