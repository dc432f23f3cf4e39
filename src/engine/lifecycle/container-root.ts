/**
 * Where a container's own files are read from. A container from layers has
 * no rootfs directory on the host: its overlay exists only in its mount
 * namespace while it runs. So a running container is read through
 * /proc/PID/root (its view, writes and volumes included); a stopped one
 * from its rootfs directory, or for /etc/passwd and /etc/group, from the
 * topmost layer that has them (a stopped container's writes are not seen).
 */
import { userFilesRoot } from '../run.ts';
import type { ContainerInfo } from './container-info.ts';
import { invalidState } from './errors.ts';

function runningRoot(info: Pick<ContainerInfo, 'state' | 'pid'>): string | undefined {
  return (info.state === 'running' || info.state === 'paused') && info.pid !== undefined ? `/proc/${info.pid}/root` : undefined;
}

/** The root to read /etc/passwd and /etc/group from. */
export async function userFilesRootOf(info: Pick<ContainerInfo, 'state' | 'pid' | 'options'>): Promise<string> {
  return runningRoot(info) ?? userFilesRoot(info.options.run);
}

/**
 * The root `cp` reads and writes.
 * @throws ContainerError ISOLA_CONTAINER_INVALID_STATE for a stopped container from layers
 */
export function filesRootOf(info: Pick<ContainerInfo, 'state' | 'pid' | 'options' | 'name'>): string {
  const root = runningRoot(info);
  if (root !== undefined) return root;
  if (info.options.run.rootfsLayers !== undefined) {
    throw invalidState(info.name, info.state, 'copy files of', 'its files from an image exist only while it runs: start it first');
  }
  return info.options.run.rootfs;
}
