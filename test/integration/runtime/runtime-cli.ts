/**
 * Runs bin/isola-runtime for tests. Output goes to files, not pipes: a
 * created container inherits the runtime's stdout and stderr and keeps them
 * open long after the runtime exited.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const runtimeBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'isola-runtime');

export interface RuntimeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `passFds` become the runtime's fds 3, 4, ... (for --preserve-fds). */
export async function runRuntime(args: readonly string[], passFds: readonly number[] = []): Promise<RuntimeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-rt-out-'));
  const [out, err] = await Promise.all([open(join(dir, 'out'), 'w+'), open(join(dir, 'err'), 'w+')]);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(runtimeBin, args, { stdio: ['ignore', out.fd, err.fd, ...passFds] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('exit', (status, signal) => { clearTimeout(timer); resolve(status ?? 128 + (signal === null ? 0 : 9)); });
    });
    return { code, stdout: await readFile(join(dir, 'out'), 'utf8'), stderr: await readFile(join(dir, 'err'), 'utf8') };
  } finally {
    await Promise.all([out.close(), err.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A temporary --root for one test. */
export async function withRuntimeRoot<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'isola-rt-root-'));
  try {
    return await fn(root);
  } finally {
    // Whatever a failed test left running goes too.
    await runRuntime(['--root', root, 'list', '-q']).then(async (listed) => {
      for (const id of listed.stdout.split('\n').filter((l) => l !== '')) await runRuntime(['--root', root, 'delete', '--force', id]);
    });
    await rm(root, { recursive: true, force: true });
  }
}
