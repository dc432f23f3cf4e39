/**
 * A barrier between a test and the containers it starts: each container
 * writes a file into a directory it mounts at /barrier once it runs, then
 * waits until the test creates /barrier/go, so the test can look at running
 * containers for as long as it needs.
 */
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The barrier directory and what containers and the test do with it. */
export interface Barrier {
  readonly dir: string;
  /** `-v DIR:/barrier`. */
  readonly volume: readonly string[];
  /** Shell text: write `name` into the barrier, then wait for go. */
  arriveAndWait(name: string): string;
  waitForArrivals(count: number, timeoutMs?: number): Promise<string[]>;
  release(): Promise<void>;
  remove(): Promise<void>;
}

export async function createBarrier(): Promise<Barrier> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-barrier-'));
  // Container root is an unprivileged host uid: it needs write access.
  await chmod(dir, 0o1777);
  return {
    dir,
    volume: ['-v', `${dir}:/barrier`],
    arriveAndWait: (name) => `touch /barrier/${name}; while [ ! -e /barrier/go ]; do sleep 0.05; done`,
    async waitForArrivals(count, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const names = (await readdir(dir)).filter((n) => n !== 'go');
        if (names.length >= count) return names;
        if (Date.now() > deadline) throw new Error(`only ${names.length} of ${count} containers arrived within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    release: () => writeFile(join(dir, 'go'), ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs fn with a new barrier; then, whatever failed, opens it so a container
 * still waiting ends, gives that a moment, and removes it.
 */
export async function withBarrier<T>(fn: (barrier: Barrier) => Promise<T>): Promise<T> {
  const barrier = await createBarrier();
  try {
    return await fn(barrier);
  } finally {
    await barrier.release().catch(() => {});
    await sleep(200);
    await barrier.remove();
  }
}
