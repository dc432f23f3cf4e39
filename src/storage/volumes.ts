/**
 * Named volumes: directories under <root>/volumes/<name>/_data (podman's
 * layout), with a volume.json beside the data. A volume made by `isola run -v
 * NAME:/path` on first use belongs to the container's root, so the
 * container can write to it; `isola volume create` makes it the caller's
 * until a container first mounts it: then, if it is still empty, it becomes
 * that container's root's, as podman does.
 *
 * A volume in use is not removed. Recorded containers name their volumes in
 * their stored options (the engine asks the state database); a foreground
 * run, which is not recorded, leaves a file in <name>/users naming the
 * processes that hold it, as for layer copies. Taking a volume for a run and
 * removing it happen under a per-volume lock, so neither sees the other half-done.
 */
import { chmod, chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withDirLock } from './dir-lock.ts';
import { StorageError } from './errors.ts';
import type { CallerUserns } from './rootfs.ts';
import { addUseHolders, liveUsers, writeUse, type UseHolder } from './use-files.ts';

export interface VolumeInfo {
  readonly name: string;
  /** Host directory mounted into containers. */
  readonly mountpoint: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** podman's volume names. */
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

function volumesDir(root: string): string {
  return join(root, 'volumes');
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new StorageError('ISOLA_STORAGE_VOLUME_NAME', `${JSON.stringify(name)} is not a valid volume name`,
      { hint: 'use letters, digits, _ . and -, starting with a letter or digit' });
  }
}

/** volume.json. `needsOwner`: made by `volume create`, not mounted by a container yet. */
interface VolumeFile {
  readonly name: string;
  readonly createdAt: string;
  readonly needsOwner?: boolean | undefined;
}

async function readVolumeFile(root: string, name: string): Promise<VolumeFile | undefined> {
  const text = await readFile(join(volumesDir(root), name, 'volume.json'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : JSON.parse(text) as VolumeFile;
}

async function readInfo(root: string, name: string): Promise<VolumeInfo | undefined> {
  const file = await readVolumeFile(root, name);
  return file === undefined ? undefined : { name, mountpoint: join(volumesDir(root), name, '_data'), createdAt: file.createdAt };
}

/** The owner's host ids as the caller's user namespace numbers them (rootless). */
function idsInCallerUserns(writer: CallerUserns, owner: VolumeOwner): { uid: number; gid: number } {
  const inNs = (map: CallerUserns['maps']['uidMap'], id: number) => {
    const e = map.find((m) => id >= m.hostId && id < m.hostId + m.size);
    if (e === undefined) throw new StorageError('ISOLA_STORAGE_HELPER_FAILED', `host id ${id} is outside your subordinate ids`);
    return e.containerId + id - e.hostId;
  };
  return { uid: inNs(writer.maps.uidMap, owner.uid), gid: inNs(writer.maps.gidMap, owner.gid) };
}

/**
 * The first container to mount a `volume create`d volume gets it, if it is
 * still empty (podman's rule): its root can then write there.
 */
async function giveToFirstContainer(root: string, name: string, owner: VolumeOwner): Promise<void> {
  const file = await readVolumeFile(root, name);
  if (file?.needsOwner !== true) return;
  const data = join(volumesDir(root), name, '_data');
  if ((await readdir(data)).length === 0) {
    if (owner.writer === undefined) await chown(data, owner.uid, owner.gid);
    else await owner.writer.run({ kind: 'chown-tree', path: data, ...idsInCallerUserns(owner.writer, owner) });
  }
  await writeFile(join(volumesDir(root), name, 'volume.json'), `${JSON.stringify({ name: file.name, createdAt: file.createdAt })}\n`, { mode: 0o644 });
}

export interface VolumeOwner {
  /** Host ids the data directory gets. */
  readonly uid: number;
  readonly gid: number;
  /** Rootless: where a directory for subordinate ids is made. */
  readonly writer?: CallerUserns | undefined;
}

/**
 * Makes the volume, built under a temporary name and renamed into place, so
 * two containers creating it at once both end up with the same one.
 * @returns the volume and whether this call made it.
 */
async function makeVolume(root: string, name: string, owner: VolumeOwner | undefined): Promise<{ info: VolumeInfo; isNew: boolean }> {
  checkName(name);
  await mkdir(volumesDir(root), { recursive: true, mode: 0o711 });
  // The init binds the volume as the container's root, which must be able
  // to search every directory above it: search permission only, no listing.
  await chmod(root, 0o711);
  const temporary = join(volumesDir(root), `.new-${name}-${process.pid}-${Date.now()}`);
  const createdAt = new Date().toISOString();
  try {
    await mkdir(temporary, { mode: 0o711 });
    const volumeFile: VolumeFile = { name, createdAt, ...(owner === undefined ? { needsOwner: true } : {}) };
    await writeFile(join(temporary, 'volume.json'), `${JSON.stringify(volumeFile)}\n`, { mode: 0o644 });
    const data = join(temporary, '_data');
    if (owner?.writer !== undefined) {
      await owner.writer.run({ kind: 'mkdir', dirs: [{ path: data, ...idsInCallerUserns(owner.writer, owner), mode: 0o755 }] });
    } else {
      await mkdir(data, { mode: 0o755 });
      if (owner !== undefined) await chown(data, owner.uid, owner.gid);
    }
    await rename(temporary, join(volumesDir(root), name));
    return { info: (await readInfo(root, name))!, isNew: true };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      const info = await readInfo(root, name);
      if (info !== undefined) return { info, isNew: false };
    }
    throw error;
  }
}

/** `isola volume create NAME`. @throws StorageError ISOLA_STORAGE_VOLUME_EXISTS, ISOLA_STORAGE_VOLUME_NAME */
export async function createVolume(root: string, name: string): Promise<VolumeInfo> {
  checkName(name);
  if (await readInfo(root, name) !== undefined) {
    throw new StorageError('ISOLA_STORAGE_VOLUME_EXISTS', `volume ${name} already exists`, { hint: `use it, or remove it with isola volume rm ${name}` });
  }
  const { info, isNew } = await makeVolume(root, name, undefined);
  if (!isNew) throw new StorageError('ISOLA_STORAGE_VOLUME_EXISTS', `volume ${name} already exists`);
  return info;
}

function lockPath(root: string, name: string): string {
  return join(volumesDir(root), `.lock-${name}`);
}

function usesDir(root: string, name: string): string {
  return join(volumesDir(root), name, 'users');
}

/** A foreground run's use of a volume: held while one of `holders` lives. */
export interface VolumeUse {
  readonly containerId: string;
  readonly holders: readonly UseHolder[];
}

/**
 * For `-v NAME:/path`: the volume, made now (owned by `owner`) if missing,
 * and with `use` (a foreground run) recorded as using it until releaseVolume.
 */
export async function ensureVolume(root: string, name: string, owner: VolumeOwner, use?: VolumeUse | undefined): Promise<VolumeInfo> {
  checkName(name);
  await mkdir(volumesDir(root), { recursive: true, mode: 0o711 });
  return withDirLock(lockPath(root, name), async () => {
    const existing = await readInfo(root, name);
    if (existing !== undefined) await giveToFirstContainer(root, name, owner);
    const info = existing ?? (await makeVolume(root, name, owner)).info;
    if (use !== undefined) await writeUse(usesDir(root, name), use.containerId, use.holders);
    return info;
  });
}

/** Adds holders (a foreground run's monitor) to the container's use of these volumes. */
export async function addVolumeHolders(root: string, names: readonly string[], containerId: string, holders: readonly UseHolder[]): Promise<void> {
  await Promise.all(names.map((name) => addUseHolders(usesDir(root, name), containerId, holders)));
}

/** The foreground run no longer uses these volumes. */
export async function releaseVolumes(root: string, names: readonly string[], containerId: string): Promise<void> {
  await Promise.all(names.map((name) => rm(join(usesDir(root, name), containerId), { force: true })));
}

export async function inspectVolume(root: string, name: string): Promise<VolumeInfo> {
  checkName(name);
  const info = await readInfo(root, name);
  if (info === undefined) throw new StorageError('ISOLA_STORAGE_VOLUME_MISSING', `no volume named ${name}`, { hint: 'see isola volume ls' });
  return info;
}

export async function listVolumes(root: string): Promise<VolumeInfo[]> {
  const names = await readdir(volumesDir(root)).catch(() => [] as string[]);
  const infos = await Promise.all(names.filter((n) => NAME_PATTERN.test(n)).map((n) => readInfo(root, n)));
  return infos.filter((i) => i !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

export interface VolumeRemoval {
  /** Rootless: data owned by subordinate ids is removed in this namespace. */
  readonly writer?: CallerUserns | undefined;
  /** True when the holder has ended (also when its pid was recycled). */
  readonly isHolderGone: (holder: UseHolder) => Promise<boolean>;
  /**
   * The recorded containers using the volume (names or ids), asked under
   * the volume's lock, after foreground uses were read.
   */
  readonly recordedUsers: () => Promise<readonly string[]>;
  /**
   * Runs once the volume is known to exist, before anything is checked
   * under its lock: `rm -f` removes the recorded containers using it here.
   */
  readonly beforeRemoval?: (() => Promise<void>) | undefined;
}

/**
 * Removes the volume and its data, unless a container uses it.
 * @throws StorageError ISOLA_STORAGE_VOLUME_MISSING, ISOLA_STORAGE_VOLUME_IN_USE
 *   naming the containers (nothing is removed then)
 */
export async function removeVolume(root: string, name: string, removal: VolumeRemoval): Promise<void> {
  const info = await inspectVolume(root, name);
  await removal.beforeRemoval?.();
  const dir = join(volumesDir(root), name);
  const trash = join(volumesDir(root), `.trash-${name}-${process.pid}-${Date.now()}`);
  await withDirLock(lockPath(root, name), async () => {
    // Every use of a volume names its holders: one without is not live.
    const foreground = await liveUsers(usesDir(root, name), { isHolderGone: removal.isHolderGone, isRecorded: () => false });
    const users = [...await removal.recordedUsers(), ...foreground];
    if (users.length > 0) {
      throw new StorageError('ISOLA_STORAGE_VOLUME_IN_USE',
        `volume ${name} is being used by the following container(s): ${users.join(', ')}`,
        { path: info.mountpoint, containers: users, hint: `remove the container(s) first, or use isola volume rm -f ${name} to remove them with it` });
    }
    // Out of the way under the lock: a run taking the volume now makes a new one.
    await rename(dir, trash);
  });
  // Rootless, the data may belong to subordinate ids: removed inside the namespace.
  if (removal.writer !== undefined && (await stat(join(trash, '_data')).catch(() => undefined))?.uid !== process.getuid?.()) {
    await removal.writer.run({ kind: 'remove', paths: [trash] });
  } else {
    await rm(trash, { recursive: true, force: true });
  }
}
