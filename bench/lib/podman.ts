/**
 * podman in a sandbox: its own --root, --runroot and --tmpdir under the
 * benchmark's scratch directory, so the host's images, containers and
 * events are never touched (host-traces.ts covers what it writes regardless).
 * The image is the benchmark's rootfs, imported once from a tar.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PODMAN_IMAGE = 'localhost/isola-bench:latest';

/**
 * podman's root defaults (nofile and nproc 1048576) are above what runc's
 * init may set on this host (root lacks CAP_SYS_RESOURCE; hard nofile is
 * 20000 and nproc fails above 32768), so runc's setrlimit fails with EPERM;
 * isola clamps its default instead. The values do not change the cost of
 * starting.
 */
export const PODMAN_RUN_FLAGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export interface PodmanSandbox {
  /** `podman` plus the global flags that keep it inside the sandbox. */
  readonly argv: readonly string[];
  remove(): Promise<void>;
}

export async function createPodmanSandbox(podmanPath: string, dir: string, rootfs: string): Promise<PodmanSandbox> {
  await mkdir(dir, { recursive: true });
  const argv = [podmanPath, '--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp'),
    // No systemd or journald to rely on here; both are the non-default but plain options.
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  const [file, ...flags] = argv as [string, ...string[]];
  const remove = async () => {
    // Not `system reset`: it also deletes the host's network definitions. Containers
    // and images go here; the scratch dir's removal sweeps storage mounts and files.
    for (const what of [['rm', '--all', '--force'], ['rmi', '--all', '--force']]) {
      await run(file, [...flags, ...what], { maxBuffer: 16 << 20 }).catch(() => undefined);
    }
  };
  try {
    const tar = join(dir, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', tar, '.']);
    await run(file, [...flags, 'import', tar, PODMAN_IMAGE], { maxBuffer: 16 << 20 });
  } catch (error) {
    await remove();
    throw error;
  }
  return { argv, remove };
}
