/**
 * A lock between isola processes on one root: a directory made with mkdir,
 * which exactly one process can create. One whose holder died is broken
 * once it is older than any holder keeps it.
 */
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this belongs to an isola that died holding it. */
const STALE_LOCK_MS = 30_000;

/** Runs fn while holding the lock directory `path`. */
export async function withDirLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
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
