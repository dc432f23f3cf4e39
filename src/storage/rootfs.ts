/**
 * A container's root filesystem: an overlay of its image layers plus a
 * writable upper directory of its own, under <root>/storage/containers/<id>.
 *
 * How the layers get the container's ids, in order of preference:
 * - plain: the container has no user namespace, or an identity map: the
 *   layers' owners are already right.
 * - idmap (root): each lower is an ID-mapped mount through the container's
 *   own user namespace, made by the shim (native/idmap-mount.c): O(1) in the
 *   image's size, nothing copied.
 * - copy: a chowned copy of each layer, cached per (layer, map) under
 *   <root>/storage/shifted, built once; for rootless callers (who may not
 *   ID-map host filesystems) inside a user namespace holding their
 *   subordinate ids, and then the init mounts the overlay in the container's
 *   namespace with `userxattr`.
 * The upper and work directories belong to the container's root, since
 * overlayfs writes them with the mounter's credentials after ID mapping.
 */
import { chmod, chown, mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanRootfsOverlay } from '../launch/index.ts';
import { toHostId, type IdMapEntry, type IdMaps } from '../userns/index.ts';
import { StorageError } from './errors.ts';
import { releaseShifted, shiftedLayer, type CopyUseCheck } from './shifted-cache.ts';
import type { UseHolder } from './use-files.ts';
import type { UsernsJob } from './userns-job.ts';

export type RootfsMethod = 'plain' | 'idmap' | 'copy';

/** Runs a job inside a user namespace holding the caller's subordinate ids (rootless). */
export interface CallerUserns {
  /** The namespace's maps: its ids to host ids. */
  readonly maps: IdMaps;
  run(job: UsernsJob): Promise<void>;
}

export interface RootfsRequest {
  /** The engine's persistent root. */
  readonly root: string;
  readonly containerId: string;
  /**
   * The empty directory the overlay is mounted onto, in the container's
   * namespace only. The init reaches it as the container's root, so it lives
   * where that may search (the run directory), not under the 0700 root.
   */
  readonly mountPoint: string;
  /** Unpacked layer directories, bottom first. */
  readonly layers: readonly string[];
  /** The container's maps; undefined without a user namespace. */
  readonly idMaps: IdMaps | undefined;
  /** Root in the initial user namespace. */
  readonly isPrivileged: boolean;
  /** Force the chowned copy even where ID-mapped mounts work (tests, benchmarks). @default false */
  readonly isCopyForced?: boolean | undefined;
  /** Needed when not privileged: where the copy and the upper directory are made. */
  readonly callerUserns?: CallerUserns | undefined;
  /**
   * A container started again keeps the upper directory it has (what it
   * wrote); a failure then leaves it in place. @default false
   */
  readonly isUpperKept?: boolean | undefined;
  /**
   * The processes holding a foreground run's copies (its isola); a recorded
   * container (none) holds them until its `rm`.
   */
  readonly copyHolders?: readonly UseHolder[] | undefined;
  /** Whether another use's holder has ended, when a failed start removes copies. @default none has */
  readonly isCopyHolderGone?: CopyUseCheck['isHolderGone'] | undefined;
}

export interface PreparedRootfs {
  /** The mount point (request.mountPoint): the config's root.path. */
  readonly path: string;
  readonly overlay: PlanRootfsOverlay;
  readonly method: RootfsMethod;
  /** True when a layer copy was built for this container (not taken from the cache). */
  readonly hasBuiltCopy: boolean;
}

export const FALLBACK_NOTE = 'ID-mapped mounts unavailable: using a chowned copy';

export function containerStorageDir(root: string, containerId: string): string {
  return join(root, 'storage', 'containers', containerId);
}

function isIdentity(maps: IdMaps): boolean {
  return [...maps.uidMap, ...maps.gidMap].every((e) => e.containerId === e.hostId);
}

async function checkLayers(layers: readonly string[]): Promise<void> {
  if (layers.length === 0) {
    throw new StorageError('ISOLA_STORAGE_LAYER_MISSING', 'a rootfs needs at least one layer', { hint: 'pass the image\'s layer directories' });
  }
  await Promise.all(layers.map(async (layer) => {
    const info = await stat(layer).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      throw new StorageError('ISOLA_STORAGE_LAYER_MISSING', `layer directory ${layer} does not exist`,
        { path: layer, hint: 'pull or unpack the image again' });
    }
  }));
}

function chooseMethod(request: RootfsRequest): RootfsMethod {
  if (request.idMaps === undefined || isIdentity(request.idMaps)) return 'plain';
  return request.isPrivileged && request.isCopyForced !== true ? 'idmap' : 'copy';
}

/** The host id the container's root has; 0 without a user namespace. */
function rootOwner(maps: IdMaps | undefined): { uid: number; gid: number } {
  if (maps === undefined) return { uid: 0, gid: 0 };
  return { uid: toHostId(maps.uidMap, 0) ?? 65534, gid: toHostId(maps.gidMap, 0) ?? 65534 };
}

/** The same host id as the caller's namespace writes it. */
function inNamespace(map: readonly IdMapEntry[], hostId: number): number {
  const entry = map.find((e) => hostId >= e.hostId && hostId < e.hostId + e.size);
  if (entry === undefined) {
    throw new StorageError('ISOLA_STORAGE_HELPER_FAILED', `host id ${hostId} is outside your subordinate ids`,
      { hint: 'check /etc/subuid and /etc/subgid' });
  }
  return entry.containerId + (hostId - entry.hostId);
}

/** The chowned copies of the layers for these maps (shifted-cache.ts). */
async function shiftedLayers(request: RootfsRequest, maps: IdMaps): Promise<{ dirs: string[]; hasBuilt: boolean }> {
  const layers = await Promise.all(request.layers.map((layer) =>
    shiftedLayer(request.root, layer, maps, request.containerId, request.isPrivileged ? undefined : request.callerUserns, request.copyHolders)));
  return { dirs: layers.map((l) => l.dir), hasBuilt: layers.some((l) => l.how !== 'cached') };
}

/** A tree possibly owned by subordinate ids: removed inside the caller's namespace then. */
async function removeTree(path: string, writer: CallerUserns | undefined): Promise<void> {
  if (writer === undefined) await rm(path, { recursive: true, force: true });
  else await writer.run({ kind: 'remove', paths: [path] });
}

/**
 * Makes the container's storage directory and decides how its overlay is
 * mounted. The shim mounts it; nothing is mounted here.
 * @throws StorageError ISOLA_STORAGE_LAYER_MISSING, ISOLA_STORAGE_COPY_FAILED,
 *   ISOLA_STORAGE_HELPER_FAILED; the container's directory is removed first.
 */
export async function prepareRootfs(request: RootfsRequest): Promise<PreparedRootfs> {
  await checkLayers(request.layers);
  const method = chooseMethod(request);
  const dir = containerStorageDir(request.root, request.containerId);
  const writer = request.isPrivileged ? undefined : request.callerUserns;
  if (!request.isPrivileged && writer === undefined && method !== 'plain') {
    throw new StorageError('ISOLA_STORAGE_HELPER_FAILED', 'a rootless rootfs from layers needs a user namespace with your subordinate ids',
      { hint: 'install newuidmap/newgidmap (package uidmap) and add your user to /etc/subuid and /etc/subgid' });
  }
  const owner = rootOwner(request.idMaps);
  const paths = { merged: request.mountPoint, upper: join(dir, 'upper'), work: join(dir, 'work') };
  const isKept = request.isUpperKept === true && await stat(paths.upper).then(() => true, () => false);
  try {
    // Rootless, the init mounts the overlay as the container's root, which
    // must be able to reach these directories: search permission only.
    await mkdir(join(request.root, 'storage', 'containers'), { recursive: true, mode: 0o711 });
    if (writer !== undefined) await chmod(request.root, 0o711);
    if (!isKept) await mkdir(dir, { mode: 0o711 });
    await mkdir(paths.merged, { recursive: true, mode: 0o755 });
    if (isKept) {
      // Made, and owned by the container's root, at its first start; its ids never change.
    } else if (writer === undefined) {
      await Promise.all([mkdir(paths.upper, { mode: 0o755 }), mkdir(paths.work, { mode: 0o700 })]);
      await Promise.all([chown(paths.upper, owner.uid, owner.gid), chown(paths.work, owner.uid, owner.gid)]);
    } else {
      const uid = inNamespace(writer.maps.uidMap, owner.uid);
      const gid = inNamespace(writer.maps.gidMap, owner.gid);
      await writer.run({ kind: 'mkdir', dirs: [{ path: paths.upper, uid, gid, mode: 0o755 }, { path: paths.work, uid, gid, mode: 0o700 }] });
    }
    const copies = method === 'copy' ? await shiftedLayers(request, request.idMaps!) : undefined;
    const lowers = [...(copies?.dirs ?? request.layers)].reverse();
    return {
      path: paths.merged, method, hasBuiltCopy: copies?.hasBuilt === true,
      overlay: {
        lowers, upper: paths.upper, work: paths.work, options: writer === undefined ? '' : 'userxattr',
        isIdmapped: method === 'idmap', isInUserns: writer !== undefined,
      },
    };
  } catch (error) {
    if (!isKept) await removeContainerStorage(request, { writer }).catch(() => {});
    // Uses this start registered before it failed; a recorded container's
    // too, which takes them again at its next start.
    const check = { isHolderGone: request.isCopyHolderGone ?? (async () => false), writer };
    await releaseShifted(request.root, request.containerId, check).catch(() => {});
    throw error;
  }
}

/**
 * Everything a removed container kept: its storage directory (upper and
 * work), its mount point, and its use of cached layer copies, whichever
 * method its starts used; copies no live container uses any more go too.
 */
export async function deleteContainerStorage(
  where: { readonly root: string; readonly containerId: string; readonly mountPoint: string }, check: CopyUseCheck,
): Promise<void> {
  await removeContainerStorage(where, check);
  await releaseShifted(where.root, where.containerId, check);
}

/**
 * Removes the container's upper and work directories and its mount point,
 * and ends its use of the copies `prepared` used (removing unused ones).
 * Nothing is mounted on the host (the overlay lived in the container's
 * mount namespace only), so this is a plain removal.
 */
export async function removeContainerStorage(
  where: { readonly root: string; readonly containerId: string; readonly mountPoint: string },
  check: Pick<CopyUseCheck, 'writer'> & Partial<CopyUseCheck>, prepared?: PreparedRootfs | undefined,
): Promise<void> {
  await removeTree(containerStorageDir(where.root, where.containerId), check.writer);
  if (prepared?.method === 'copy' && check.isHolderGone !== undefined) {
    await releaseShifted(where.root, where.containerId, { ...check, isHolderGone: check.isHolderGone }, prepared.overlay.lowers);
  }
  await rmdir(where.mountPoint).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
