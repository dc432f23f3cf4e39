/**
 * runc and crun chown the host's device nodes they bind into a user namespace
 * (seen here: /dev/null owned by the container's root after a peer's run). Every
 * bench that runs them records the owners first and puts them back after;
 * `npm test` records them and fails when the tests changed any.
 */
import { chmod, chown, stat } from 'node:fs/promises';

const DEVICE_NODES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/ptmx'];

export interface DeviceOwner { readonly path: string; readonly uid: number; readonly gid: number; readonly mode: number }

export async function recordDeviceOwners(): Promise<DeviceOwner[]> {
  return Promise.all(DEVICE_NODES.map(async (path) => {
    const info = await stat(path);
    return { path, uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 };
  }));
}

async function changedNodes(saved: readonly DeviceOwner[]): Promise<Array<{ node: DeviceOwner; now: string }>> {
  const changed: Array<{ node: DeviceOwner; now: string }> = [];
  for (const node of saved) {
    const now = await stat(node.path);
    if (now.uid !== node.uid || now.gid !== node.gid || (now.mode & 0o7777) !== node.mode) {
      changed.push({ node, now: `${node.path} (${now.uid}:${now.gid} ${(now.mode & 0o7777).toString(8)})` });
    }
  }
  return changed;
}

/** The nodes whose owner or mode is no longer what `saved` recorded, as `path (uid:gid mode)`. */
export async function changedDeviceOwners(saved: readonly DeviceOwner[]): Promise<string[]> {
  return (await changedNodes(saved)).map((c) => c.now);
}

/** Puts back every node that changed; returns what changed, for the report. */
export async function restoreDeviceOwners(saved: readonly DeviceOwner[]): Promise<string[]> {
  const changed = await changedNodes(saved);
  for (const { node } of changed) {
    await chown(node.path, node.uid, node.gid);
    await chmod(node.path, node.mode);
  }
  return changed.map((c) => c.now);
}
