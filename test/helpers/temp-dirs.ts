/**
 * Every test gets its own --root/--runroot pair, so tests never share state with
 * each other or with a real /var/lib/isola, and are removed afterwards.
 */
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

export interface TempDirs {
  /** The parent of both, mode 0755 so a rootless user can reach them. */
  readonly base: string;
  readonly root: string;
  readonly runroot: string;
  /** `['--root', root, '--runroot', runroot]`, ready to splice into CLI args. */
  readonly args: readonly string[];
}

export interface TempDirsOptions {
  /** Chown root and runroot to this user (rootless tests run isola as it). */
  readonly owner?: { readonly uid: number; readonly gid: number } | undefined;
}

/** Mount points under `base`, deepest first (a failed test can leave overlays mounted). */
async function mountsUnder(base: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text.split('\n').map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === base || point.startsWith(`${base}/`));
  return points.sort((a, b) => b.length - a.length);
}

async function removeTempDirs(base: string): Promise<void> {
  for (const point of await mountsUnder(base)) await runCommand(['umount', '-l', point]);
  await rm(base, { recursive: true, force: true, maxRetries: 3 });
}

/** Calls fn with a fresh --root/--runroot pair (mode 0755) and removes both afterwards. */
export async function withTempDirs<T>(fn: (dirs: TempDirs) => Promise<T>, options: TempDirsOptions = {}): Promise<T> {
  const base = await mkdtemp(join(tmpdir(), 'isola-test-'));
  const root = join(base, 'root');
  const runroot = join(base, 'runroot');
  let result: T;
  try {
    await chmod(base, 0o755);
    for (const dir of [root, runroot]) {
      await mkdir(dir, { mode: 0o755 });
      await chmod(dir, 0o755);
      if (options.owner !== undefined) await chown(dir, options.owner.uid, options.owner.gid);
    }
    result = await fn({ base, root, runroot, args: ['--root', root, '--runroot', runroot] });
  } catch (err) {
    // The test's own failure matters more than a failed cleanup.
    await removeTempDirs(base).catch(() => {});
    throw err;
  }
  await removeTempDirs(base);
  return result;
}
