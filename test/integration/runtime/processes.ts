/** Polling helpers for processes the test does not parent (detached containers). */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while the process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Polls `check` until it holds; fails after `limitMs` so a broken runtime cannot hang the suite. */
export async function waitUntil(check: () => Promise<boolean>, limitMs = 20000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < limitMs; await sleep(20)) {
    if (await check().catch(() => false)) return;
  }
  throw new Error(`condition not met within ${limitMs} ms`);
}
