/**
 * The storage half of `isola run`: the container's rootfs from image layers
 * (storage/ decides how its ids are shifted) and its volumes (named ones
 * made on first use, `:U` chowns, `:idmap` checks), with the undo of each.
 */
import { join } from 'node:path';
import { InvalidOptionError } from '../errors/index.ts';
import type { PlanRootfsOverlay, ShimError } from '../launch/index.ts';
import type { ContainerOptions, ResolvedUser, VolumeOption } from '../spec/index.ts';
import type { CallerUserns, PreparedRootfs, VolumeUse } from '../storage/index.ts';
import { toHostId, type IdMaps } from '../userns/index.ts';
import type { HostFacts } from './run.ts';
import { isProcessGone, readProcessIdentity, readSelfIdentity } from './state/index.ts';
import type { EngineSettings } from './settings.ts';
import { storageWriter } from './storage-writer.ts';

// node:fs/promises loads on first use: a run of a plain --rootfs never needs it, and loading it costs milliseconds.
const fsp = () => import('node:fs/promises');

export interface StorageInput {
  readonly settings: EngineSettings;
  readonly facts: HostFacts;
  readonly containerId: string;
  readonly options: ContainerOptions;
  readonly idMaps: IdMaps | undefined;
  readonly user: ResolvedUser;
  /** Use the chowned copy even where ID-mapped mounts work. */
  readonly isCopyForced: boolean;
  /**
   * A recorded container: its upper directory lives until `rm`, kept across
   * starts and left in place by a failed one. @default false
   */
  readonly isKept?: boolean | undefined;
}

export interface ContainerStorage {
  /** The rootfs path for the config: the overlay's mount point, or the --rootfs directory. */
  readonly rootfs: string;
  readonly overlay: PlanRootfsOverlay | undefined;
  readonly volumes: readonly VolumeOption[];
  readonly notes: string[];
  /**
   * After a start that failed making the ID-mapped lowers: prepares the
   * chowned copy instead, remembers that for this root, and returns true;
   * false when the failure had nothing to do with ID mapping.
   */
  fallBack(error: unknown): Promise<boolean>;
  /**
   * A foreground run's monitor also holds the layer copies it uses, so they
   * stay while the container runs even if this process dies.
   */
  recordMonitor(pid: number): Promise<void>;
  remove(): Promise<void>;
  /**
   * When all remove() does is removing these paths in order (and there is
   * no fallBack to try): a takeover's shim can do it. Else undefined.
   */
  readonly removeAtExit: readonly string[] | undefined;
}

/** Once the kernel or filesystem refused, later runs go straight to the copy. */
function markerPath(root: string): string {
  return join(root, 'storage', 'idmap-unavailable');
}

/**
 * Once a container started on ID-mapped layers, later runs need no fallBack
 * to the copy, so their shim may take this process's place (run.ts).
 */
function provenMarkerPath(root: string): string {
  return join(root, 'storage', 'idmap-works');
}

const IDMAP_STEPS = new Set(['idmap-userns', 'idmap-mount', 'mount-overlay']);

function isIdmapFailure(error: unknown): error is ShimError {
  return typeof error === 'object' && error !== null && IDMAP_STEPS.has((error as ShimError).step);
}

function hostIds(maps: IdMaps | undefined, uid: number, gid: number): { uid: number; gid: number } {
  if (maps === undefined) return { uid, gid };
  return { uid: toHostId(maps.uidMap, uid) ?? 65534, gid: toHostId(maps.gidMap, gid) ?? 65534 };
}

/** storage/, loaded only by a run that needs it (it brings worker_threads and the copy code with it). */
type StorageModule = typeof import('../storage/index.ts');

function inNamespace(storage: StorageModule, writer: CallerUserns, ids: { uid: number; gid: number }): { uid: number; gid: number } {
  const find = (map: IdMaps['uidMap'], id: number) => {
    const e = map.find((m) => id >= m.hostId && id < m.hostId + m.size);
    if (e === undefined) throw new storage.StorageError('ISOLA_STORAGE_HELPER_FAILED', `host id ${id} is outside your subordinate ids`);
    return e.containerId + id - e.hostId;
  };
  return { uid: find(writer.maps.uidMap, ids.uid), gid: find(writer.maps.gidMap, ids.gid) };
}

async function resolveVolume(storage: StorageModule, input: StorageInput, volume: VolumeOption, writer: CallerUserns | undefined,
  use: VolumeUse | undefined): Promise<VolumeOption> {
  const { idMaps } = input;
  if (volume.idmap !== undefined && (idMaps === undefined || writer !== undefined)) {
    throw new InvalidOptionError('--volume', idMaps === undefined ? 'idmap only with a user namespace' : 'no idmap when rootless (only root may ID-map host filesystems)',
      `${volume.source}:${volume.destination}:idmap`, { hint: 'use :U to chown the volume to the container\'s ids instead' });
  }
  let source = volume.source;
  if (volume.volumeName !== undefined) {
    const owner = hostIds(idMaps, 0, 0);
    source = (await storage.ensureVolume(input.settings.root, volume.volumeName, { ...owner, writer }, use)).mountpoint;
  }
  if (volume.isChowned === true) {
    await (await fsp()).stat(source).catch((cause: unknown) => {
      throw new InvalidOptionError('--volume', 'an existing host path for :U', source, { cause });
    });
    const owner = hostIds(idMaps, input.user.uid, input.user.gid);
    if (writer === undefined) storage.chownTree(source, owner.uid, owner.gid);
    else await writer.run({ kind: 'chown-tree', path: source, ...inNamespace(storage, writer, owner) });
  }
  return { ...volume, source };
}

/** A --rootfs directory with plain bind volumes: nothing to mount, make or chown. */
function isPlainDirectory(options: ContainerOptions): boolean {
  return options.rootfsLayers === undefined
    && options.volumes.every((v) => v.volumeName === undefined && v.isChowned !== true && v.idmap === undefined);
}

function plainDirectory(options: ContainerOptions): ContainerStorage {
  return {
    rootfs: options.rootfs, overlay: undefined, volumes: options.volumes, notes: [],
    fallBack: async () => false, recordMonitor: async () => {}, remove: async () => {}, removeAtExit: [],
  };
}

/**
 * @throws StorageError from the layers, the copy or a volume; nothing of
 *   this container's storage is left behind.
 */
export async function prepareContainerStorage(input: StorageInput): Promise<ContainerStorage> {
  const { settings, facts, containerId, options, idMaps } = input;
  if (isPlainDirectory(options)) return plainDirectory(options);
  const storage = await import('../storage/index.ts');
  const writer = await storageWriter(settings, facts.host);
  const notes: string[] = [];
  const layers = options.rootfsLayers;
  const isMarked = layers !== undefined && await (await fsp()).stat(markerPath(settings.root)).then(() => true, () => false);
  const where = { root: settings.root, containerId, mountPoint: join(settings.runroot, 'containers', containerId, 'rootfs') };
  // A foreground run holds the copies it uses through this process (and its
  // monitor); a recorded container until its `rm`.
  const self = input.isKept === true ? undefined : await readSelfIdentity();
  const prepare = (isCopyForced: boolean): Promise<PreparedRootfs> => storage.prepareRootfs({
    ...where, layers: layers ?? [], idMaps, isPrivileged: facts.host.isPrivileged, isCopyForced, callerUserns: writer,
    isUpperKept: input.isKept, copyHolders: self === undefined ? undefined : [self], isCopyHolderGone: isProcessGone,
  });
  let prepared = layers === undefined ? undefined : await prepare(input.isCopyForced || isMarked);
  const isProven = prepared?.method === 'idmap' && await (await fsp()).stat(provenMarkerPath(settings.root)).then(() => true, () => false);
  // A foreground run's named volumes are marked as used until it ends; a
  // recorded container's are named in its stored options.
  const volumeNames = options.volumes.flatMap((v) => v.volumeName ?? []);
  const use = self === undefined ? undefined : { containerId, holders: [self] };
  const remove = async (): Promise<void> => {
    if (input.isKept === true) return;
    if (use !== undefined) await storage.releaseVolumes(settings.root, volumeNames, containerId);
    if (layers !== undefined) await storage.removeContainerStorage(where, { writer, isHolderGone: isProcessGone }, prepared);
  };
  try {
    const volumes = await Promise.all(options.volumes.map((v) => resolveVolume(storage, input, v, writer, use)));
    return {
      get rootfs() { return prepared?.path ?? options.rootfs; },
      get overlay() { return prepared?.overlay; },
      volumes, notes, remove,
      // A layer copy's holders, named volumes and a rootless writer need this
      // process; so does a first start on ID-mapped layers (it may fall back).
      get removeAtExit() {
        const isTakeable = prepared !== undefined && (prepared.method === 'plain' || isProven) && input.isKept !== true
          && writer === undefined && volumeNames.length === 0;
        return isTakeable ? [storage.containerStorageDir(settings.root, containerId), where.mountPoint] : undefined;
      },
      async recordMonitor(pid: number): Promise<void> {
        if (prepared?.method === 'idmap' && !isProven) await (await fsp()).writeFile(provenMarkerPath(settings.root), '').catch(() => {});
        const hasCopies = prepared?.method === 'copy';
        if (input.isKept === true || (!hasCopies && volumeNames.length === 0)) return;
        const monitor = await readProcessIdentity(pid);
        if (monitor === undefined) return;
        await Promise.all([
          hasCopies ? storage.addShiftedHolders(prepared!.overlay.lowers, containerId, [monitor]) : undefined,
          storage.addVolumeHolders(settings.root, volumeNames, containerId, [monitor]),
        ]);
      },
      async fallBack(error: unknown): Promise<boolean> {
        if (prepared?.method !== 'idmap' || !isIdmapFailure(error)) return false;
        await remove();
        prepared = await prepare(true);
        notes.push(storage.FALLBACK_NOTE);
        const { mkdir, writeFile } = await fsp();
        await mkdir(join(settings.root, 'storage'), { recursive: true, mode: 0o711 });
        await writeFile(markerPath(settings.root), `${error.step} ${error.errnoName} ${error.path}\n`).catch(() => {});
        return true;
      },
    };
  } catch (error) {
    await remove().catch(() => {});
    throw error;
  }
}
