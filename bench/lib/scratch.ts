/**
 * The benchmark's scratch directory and its removal. Peers mount things under
 * it (podman's overlay storage bind-mounts itself), so removal unmounts
 * whatever is still mounted there, deepest first, before deleting files.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function createScratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-bench-'));
  // mkdtemp's 0700 would stop the containers' mapped root (host uid 100000)
  // from reaching the files the engines bind-mount from their run dirs here.
  await chmod(dir, 0o755);
  return dir;
}

/** Mount points at or below `dir`, from /proc/self/mountinfo (octal escapes decoded). */
async function listMountsBelow(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((line) => line.split(' ')[4]).filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`));
}

export async function removeScratchDir(dir: string): Promise<void> {
  const mounts = await listMountsBelow(dir);
  for (const point of mounts.sort((a, b) => b.length - a.length)) {
    // Lazy: a peer's leftover process may still hold it; detaching is enough for the rm below.
    await run('umount', ['-l', point]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}
