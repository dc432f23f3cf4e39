/**
 * runc and crun chown the host's device nodes they bind into a user namespace
 * (seen here: /dev/null owned by the container's root after a peer's run). Every
 * bench that runs them records the owners first and puts them back after.
 */
import { chmod, chown, stat } from 'node:fs/promises';

const DEVICE_NODES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

export interface DeviceOwner { readonly path: string; readonly uid: number; readonly gid: number; readonly mode: number }

export async function recordDeviceOwners(): Promise<DeviceOwner[]> {
  return Promise.all(DEVICE_NODES.map(async (path) => {
    const info = await stat(path);
    return { path, uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 };
  }));
}

/** Puts back every node that changed; returns what changed, for the report. */
export async function restoreDeviceOwners(saved: readonly DeviceOwner[]): Promise<string[]> {
  const changed: string[] = [];
  for (const node of saved) {
    const now = await stat(node.path);
    if (now.uid === node.uid && now.gid === node.gid && (now.mode & 0o7777) === node.mode) continue;
    changed.push(`${node.path} (${now.uid}:${now.gid})`);
    await chown(node.path, node.uid, node.gid);
    await chmod(node.path, node.mode);
  }
  return changed;
}
