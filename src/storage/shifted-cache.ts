/**
 * The cache of chowned layer copies, <root>/storage/shifted:
 *
 *   <key>/          the copy of one layer for one map (key: hash of both)
 *   <key>.json      which layer and map it is for
 *   <key>.users/    one file per container whose overlay uses it
 *
 * A copy lives exactly as long as some container uses it: containers that
 * share a map share it, and the last one to go (`rm`, the end of a `run
 * --rm`, `prune`) removes it. A user file names the processes that hold it
 * for a container no one recorded (a foreground run: its isola, then its
 * monitor), so a use whose holders all died is collected like a leaked ID
 * range; an empty one belongs to a recorded container until its `rm`.
 *
 * Registering a use and removing an unused copy happen under a per-copy
 * lock (an mkdir), so a copy is never removed while a start takes it. The
 * removal itself is a rename out of the way under the lock; the files go
 * afterwards, in the background when root (deleting 100,000 inodes takes
 * seconds that no command should wait for).
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPidGone } from '../runtime/index.ts';
import { withDirLock } from './dir-lock.ts';
import type { IdMapEntry, IdMaps } from '../userns/index.ts';
import { idShift } from './id-shift.ts';
import { copyShifted } from './shifted-copy.ts';
import type { CallerUserns } from './rootfs.ts';
import { addUseHolders, liveUsers, writeUse, type UseCheck, type UseHolder } from './use-files.ts';

interface CopyMeta {
  readonly layer: string;
  readonly maps: IdMaps;
}

/** What a collection needs to know about the users it finds. */
export interface CopyUseCheck extends UseCheck {
  /** Rootless: copies belong to subordinate ids and are removed in this namespace. */
  readonly writer?: CallerUserns | undefined;
}

const COPY_NAME = /^[0-9a-f]{32}$/;

function cacheDir(root: string): string {
  return join(root, 'storage', 'shifted');
}

function mapKey(entries: readonly IdMapEntry[]): string {
  return entries.map((e) => `${e.containerId}:${e.hostId}:${e.size}`).join(',');
}

/** A short stable name; node:crypto loads only on this path. */
async function hashOf(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** One lock per copy: taking a use of it and removing it exclude each other. */
function lockFor(cache: string, name: string): string {
  return join(cache, `.lock-${name}`);
}

function register(cache: string, name: string, containerId: string, holders: readonly UseHolder[] | undefined): Promise<void> {
  return writeUse(join(cache, `${name}.users`), containerId, holders);
}

async function hasLiveUsers(cache: string, name: string, check: CopyUseCheck): Promise<boolean> {
  return (await liveUsers(join(cache, `${name}.users`), check)).length > 0;
}

/**
 * Deletes what was renamed out of the way. Root: a detached rm(1) that
 * outlives this process, so no command waits for it; a later collection
 * deletes what it left. Rootless: inside the caller's namespace, now.
 */
async function deleteTrash(cache: string, paths: readonly string[], writer: CallerUserns | undefined): Promise<void> {
  // Never anything but a trash entry of this cache (DISK SAFETY).
  const safe = paths.filter((p) => p.startsWith(`${cache}/.trash-`) && p.length > cache.length + 8);
  if (safe.length === 0) return;
  if (writer !== undefined) {
    await writer.run({ kind: 'remove', paths: safe });
    return;
  }
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve) => {
    const child = spawn('rm', ['-rf', '--', ...safe], { detached: true, stdio: 'ignore' });
    child.once('spawn', resolve);
    // Without rm(1), now.
    child.once('error', () => void Promise.all(safe.map((p) => rm(p, { recursive: true, force: true }))).then(() => resolve(), () => resolve()));
    child.unref();
  });
}

/**
 * Under the copy's lock: it goes if no live container uses it (with its
 * metadata; also metadata left without a copy). @returns its trash path
 */
async function retireIfUnused(cache: string, name: string, check: CopyUseCheck): Promise<string | undefined> {
  const exists = await stat(join(cache, name)).then(() => true, () => false);
  if (exists && await hasLiveUsers(cache, name, check)) return undefined;
  const trash = join(cache, `.trash-${name}-${process.pid}-${Date.now()}`);
  const isMoved = await rename(join(cache, name), trash).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return false;
    throw error;
  });
  await Promise.all([rm(join(cache, `${name}.json`), { force: true }), rm(join(cache, `${name}.users`), { recursive: true, force: true })]);
  return isMoved ? trash : undefined;
}

async function removeTree(path: string, writer: CallerUserns | undefined): Promise<void> {
  if (writer === undefined) await rm(path, { recursive: true, force: true });
  else await writer.run({ kind: 'remove', paths: [path] });
}

export interface ShiftedLayer {
  readonly dir: string;
  /** Found for this map (another container uses it), or copied now. */
  readonly how: 'cached' | 'copied';
}

/**
 * The chowned copy of `layer` for `maps`, registered as used by the
 * container until releaseShifted.
 * @param holders the processes holding the use (a foreground run); none for
 *   a recorded container, whose use lasts until its `rm`
 */
export async function shiftedLayer(root: string, layer: string, maps: IdMaps, containerId: string,
  writer: CallerUserns | undefined, holders?: readonly UseHolder[] | undefined): Promise<ShiftedLayer> {
  const cache = cacheDir(root);
  await mkdir(cache, { recursive: true, mode: 0o711 });
  const name = await hashOf(`${layer}\n${mapKey(maps.uidMap)}\n${mapKey(maps.gidMap)}`);
  const dir = join(cache, name);
  const lock = lockFor(cache, name);
  const isCached = await withDirLock(lock, async () => {
    if (!await stat(dir).then(() => true, () => false)) return false;
    await register(cache, name, containerId, holders);
    return true;
  });
  if (isCached) return { dir, how: 'cached' };
  const temporary = join(cache, `.new-${name}-${process.pid}-${Date.now()}`);
  try {
    const to = idShift(maps, writer?.maps);
    if (writer === undefined) await copyShifted(layer, temporary, to);
    else await writer.run({ kind: 'copy', source: layer, target: temporary, shift: to });
    await withDirLock(lock, async () => {
      if (await stat(dir).then(() => true, () => false)) {
        await removeTree(temporary, writer); // a concurrent start made it first
      } else {
        await writeFile(join(cache, `${name}.json`), `${JSON.stringify({ layer, maps } satisfies CopyMeta)}\n`);
        await rename(temporary, dir);
      }
      await register(cache, name, containerId, holders);
    });
    return { dir, how: 'copied' };
  } catch (error) {
    await removeTree(temporary, writer).catch(() => {});
    throw error;
  }
}

/** Adds holders (the container's monitor, once it runs) to the container's use of these copies. */
export async function addShiftedHolders(dirs: readonly string[], containerId: string, holders: readonly UseHolder[]): Promise<void> {
  await Promise.all(dirs.map((dir) => addUseHolders(`${dir}.users`, containerId, holders)));
}

/**
 * The container no longer uses any copy: its uses end, and the copies no
 * live container uses any more are removed.
 * @param dirs the copies it used, when known; else every copy is looked at
 */
export async function releaseShifted(root: string, containerId: string, check: CopyUseCheck,
  dirs?: readonly string[] | undefined): Promise<void> {
  const cache = cacheDir(root);
  const names = dirs?.map((d) => d.slice(cache.length + 1))
    ?? (await readdir(cache).catch(() => [] as string[])).filter((n) => n.endsWith('.users')).map((n) => n.slice(0, -'.users'.length));
  const mine = names.filter((n) => COPY_NAME.test(n));
  const used = await Promise.all(mine.map((n) => rm(join(cache, `${n}.users`, containerId)).then(() => true, () => false)));
  await retireCopies(cache, mine.filter((_, i) => used[i]), check);
}

async function retireCopies(cache: string, names: readonly string[], check: CopyUseCheck): Promise<string[]> {
  const trash: string[] = [];
  for (const name of names) {
    const retired = await withDirLock(lockFor(cache, name), () => retireIfUnused(cache, name, check));
    if (retired !== undefined) trash.push(retired);
  }
  await deleteTrash(cache, trash, check.writer);
  return trash;
}

/** Whether the isola in a `.new-NAME-PID-MS` name has ended: by pid alone, so a recycled pid keeps it until next time. */
function isMakerGone(entry: string): boolean {
  return isPidGone(Number(entry.split('-').at(-2)));
}

/**
 * `prune`, `rmi`, `system prune`: removes every copy no live container
 * uses, and what dead isola processes left half-made or half-removed.
 * @returns the number of copies removed
 */
export async function collectShifted(root: string, check: CopyUseCheck): Promise<number> {
  const cache = cacheDir(root);
  const entries = await readdir(cache).catch(() => [] as string[]);
  const names = new Set(entries.map((n) => n.replace(/\.(json|users)$/, '')).filter((n) => COPY_NAME.test(n)));
  const removed = await retireCopies(cache, [...names], check);
  // A dead isola's half-made copy is renamed first, so it goes like any trash;
  // trash is deleted again in case the rm(1) deleting it was stopped.
  const trash = await Promise.all(entries.map(async (n) => {
    if (n.startsWith('.trash-')) return join(cache, n);
    if (!n.startsWith('.new-') || !isMakerGone(n)) return undefined;
    const to = join(cache, `.trash-${n.slice('.new-'.length)}`);
    return rename(join(cache, n), to).then(() => to, () => undefined);
  }));
  await deleteTrash(cache, trash.filter((t) => t !== undefined), check.writer);
  return removed.length;
}
