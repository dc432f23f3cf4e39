/**
 * Use files: a directory with one file per container using something (a
 * layer copy, a volume). A file naming holders (the processes of a
 * foreground run, which no one records) keeps the use while one of them
 * lives; an empty one belongs to a recorded container, whose use lasts
 * until its `rm`. Dead uses are collected like a leaked ID range.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A process keeping something in use: its pid and /proc/PID/stat start time, as the state database names holders. */
export interface UseHolder {
  readonly pid: number;
  readonly startTime: number;
}

/** What a collection needs to know about the uses it finds. */
export interface UseCheck {
  /** True when the holder has ended (also when its pid was recycled). */
  readonly isHolderGone: (holder: UseHolder) => Promise<boolean>;
  /**
   * For a use without holders: whether its container is still recorded.
   * Asked after the uses were read, so a container recorded then is seen.
   * @default every such container is (it keeps its use until its `rm`)
   */
  readonly isRecorded?: ((containerId: string) => boolean) | undefined;
}

function parseHolders(text: string): UseHolder[] {
  return text.trim() === '' ? [] : (JSON.parse(text) as { holders?: UseHolder[] }).holders ?? [];
}

/** Records the container's use in `usesDir`, held by `holders` (none: a recorded container's). */
export async function writeUse(usesDir: string, containerId: string, holders: readonly UseHolder[] | undefined): Promise<void> {
  await mkdir(usesDir, { recursive: true, mode: 0o700 });
  await writeFile(join(usesDir, containerId), holders === undefined ? '' : `${JSON.stringify({ holders })}\n`);
}

/** Adds holders (a foreground run's monitor, once it runs) to the container's use; a recorded or missing use is left alone. */
export async function addUseHolders(usesDir: string, containerId: string, holders: readonly UseHolder[]): Promise<void> {
  const file = join(usesDir, containerId);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined || text.trim() === '') return;
  await writeFile(file, `${JSON.stringify({ holders: [...parseHolders(text), ...holders] })}\n`);
}

/** Whether one use is live; a dead one's file is removed. */
async function isUseLive(usesDir: string, containerId: string, check: UseCheck): Promise<boolean> {
  const text = await readFile(join(usesDir, containerId), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const holders = parseHolders(text);
  const isLive = holders.length === 0
    ? check.isRecorded?.(containerId) ?? true
    : (await Promise.all(holders.map(check.isHolderGone))).some((gone) => !gone);
  if (!isLive) await rm(join(usesDir, containerId), { force: true });
  return isLive;
}

/** The containers whose use in `usesDir` is live; dead uses are dropped. */
export async function liveUsers(usesDir: string, check: UseCheck): Promise<string[]> {
  const ids = await readdir(usesDir).catch(() => [] as string[]);
  const live = await Promise.all(ids.map((id) => isUseLive(usesDir, id, check)));
  return ids.filter((_, i) => live[i]);
}
