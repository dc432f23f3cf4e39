/**
 * The cache of chowned layer copies, <root>/storage/shifted:
 *
 *   <key>/          the copy of one layer for one map (key: hash of both)
 *   <key>.json      which layer and map it is for
 *   <key>.users/    one empty file per container whose overlay uses it
 *
 * With a fresh range for every container, a copy for the exact map is rarely
 * there; but a copy of the same layer whose containers are all gone can be
 * moved to the new map in place (reshiftCopy: a chown per file, no inode
 * created) instead of copying the layer again. Claiming such a copy and
 * registering as a user of one happen under a per-layer lock (an mkdir), so
 * a copy is never moved while a container uses it.
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdMapEntry, IdMaps } from '../userns/index.ts';
import { idShift } from './id-shift.ts';
import { copyShifted, reshiftCopy } from './shifted-copy.ts';
import type { CallerUserns } from './rootfs.ts';

interface CopyMeta {
  readonly layer: string;
  readonly maps: IdMaps;
}

/** A lock older than this belongs to an isola that died holding it. */
const STALE_LOCK_MS = 30_000;

function mapKey(entries: readonly IdMapEntry[]): string {
  return entries.map((e) => `${e.containerId}:${e.hostId}:${e.size}`).join(',');
}

/** A short stable name; node:crypto loads only on this path. */
async function hashOf(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Same container ids mapped, in the same ranges: only the host side differs. */
function canReshift(a: IdMaps, b: IdMaps): boolean {
  const domain = (entries: readonly IdMapEntry[]) => entries.map((e) => `${e.containerId}+${e.size}`).join(',');
  return domain(a.uidMap) === domain(b.uidMap) && domain(a.gidMap) === domain(b.gidMap);
}

async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(path, { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > STALE_LOCK_MS) await rmdir(path).catch(() => {});
      await sleep(Math.min(5 * (attempt + 1), 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(path).catch(() => {});
  }
}

async function readMeta(cache: string, name: string): Promise<CopyMeta | undefined> {
  const text = await readFile(join(cache, `${name}.json`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : JSON.parse(text) as CopyMeta;
}

async function hasUsers(cache: string, name: string): Promise<boolean> {
  return (await readdir(join(cache, `${name}.users`)).catch(() => [] as string[])).length > 0;
}

async function register(cache: string, name: string, containerId: string): Promise<void> {
  await mkdir(join(cache, `${name}.users`), { recursive: true, mode: 0o700 });
  await writeFile(join(cache, `${name}.users`, containerId), '');
}

/** Takes an unused copy of `layer` that can be moved to `maps`, renamed out of the way; undefined if none. */
async function claimReusable(cache: string, layer: string, maps: IdMaps): Promise<{ path: string; meta: CopyMeta } | undefined> {
  const names = (await readdir(cache)).filter((n) => /^[0-9a-f]{32}$/.test(n));
  for (const name of names) {
    const meta = await readMeta(cache, name);
    if (meta === undefined || meta.layer !== layer || !canReshift(meta.maps, maps) || await hasUsers(cache, name)) continue;
    const path = join(cache, `.reshift-${name}-${process.pid}-${Date.now()}`);
    await rename(join(cache, name), path);
    await rm(join(cache, `${name}.json`), { force: true });
    await rm(join(cache, `${name}.users`), { recursive: true, force: true });
    return { path, meta };
  }
  return undefined;
}

async function removeTree(path: string, writer: CallerUserns | undefined): Promise<void> {
  if (writer === undefined) await rm(path, { recursive: true, force: true });
  else await writer.run({ kind: 'remove', paths: [path] });
}

export interface ShiftedLayer {
  readonly dir: string;
  /** How the copy came to be: found for this map, moved from another map, or copied now. */
  readonly how: 'cached' | 'reshifted' | 'copied';
}

/**
 * The chowned copy of `layer` for `maps`, registered as used by the
 * container until unregisterShifted.
 */
export async function shiftedLayer(root: string, layer: string, maps: IdMaps, containerId: string,
  writer: CallerUserns | undefined): Promise<ShiftedLayer> {
  const cache = join(root, 'storage', 'shifted');
  await mkdir(cache, { recursive: true, mode: 0o711 });
  const layerKey = await hashOf(layer);
  const name = await hashOf(`${layer}\n${mapKey(maps.uidMap)}\n${mapKey(maps.gidMap)}`);
  const dir = join(cache, name);
  const lock = join(cache, `.lock-${layerKey}`);
  const found = await withLock(lock, async () => {
    if (await stat(dir).then(() => true, () => false)) {
      await register(cache, name, containerId);
      return { kind: 'cached' as const };
    }
    const reusable = await claimReusable(cache, layer, maps);
    return reusable === undefined ? { kind: 'copy' as const } : { kind: 'reshift' as const, ...reusable };
  });
  if (found.kind === 'cached') return { dir, how: 'cached' };
  const temporary = found.kind === 'reshift' ? found.path : join(cache, `.new-${name}-${process.pid}-${Date.now()}`);
  try {
    const to = idShift(maps, writer?.maps);
    if (found.kind === 'reshift') {
      const from = idShift(found.meta.maps, writer?.maps);
      if (writer === undefined) reshiftCopy(temporary, layer, from, to);
      else await writer.run({ kind: 'reshift', path: temporary, layer, from, to });
    } else if (writer === undefined) {
      await copyShifted(layer, temporary, to);
    } else {
      await writer.run({ kind: 'copy', source: layer, target: temporary, shift: to });
    }
    await withLock(lock, async () => {
      if (await stat(dir).then(() => true, () => false)) {
        await removeTree(temporary, writer); // a concurrent start made it first
      } else {
        await writeFile(join(cache, `${name}.json`), `${JSON.stringify({ layer, maps } satisfies CopyMeta)}\n`);
        await rename(temporary, dir);
      }
      await register(cache, name, containerId);
    });
    return { dir, how: found.kind === 'reshift' ? 'reshifted' : 'copied' };
  } catch (error) {
    await removeTree(temporary, writer).catch(() => {});
    throw error;
  }
}

/** The container no longer uses these copies; they may be moved to another map. */
export async function unregisterShifted(dirs: readonly string[], containerId: string): Promise<void> {
  await Promise.all(dirs.map((dir) => rm(join(`${dir}.users`, containerId), { force: true })));
}

/** The container no longer uses any copy (its copies are not known any more, e.g. at `rm`). */
export async function unregisterContainer(root: string, containerId: string): Promise<void> {
  const cache = join(root, 'storage', 'shifted');
  const names = await readdir(cache).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith('.users')).map((n) => rm(join(cache, n, containerId), { force: true })));
}
