/**
 * Shared set-up for the --userns=auto tests: maps as the kernel shows them, a
 * barrier that keeps containers running until the test has looked at them, the
 * host's view of containers tagged with an environment entry, and isola run
 * with its own /etc/subuid and /etc/subgid (bind-mounted in a private mount
 * namespace, so the host's files and other tests never see them).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isolaBin } from '../../helpers/run-cli.ts';
import { runCommand, type CommandResult } from '../../helpers/run-command.ts';

/** One line of /proc/PID/{uid,gid}_map. */
export interface MapLine {
  readonly inside: number;
  readonly outside: number;
  readonly size: number;
}

export function parseMapLines(text: string): MapLine[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [inside = NaN, outside = NaN, size = NaN] = l.trim().split(/\s+/).map(Number);
    return { inside, outside, size };
  });
}

export function hostRangesOverlap(a: MapLine, b: MapLine): boolean {
  return a.outside < b.outside + b.size && b.outside < a.outside + a.size;
}

/**
 * A directory containers mount at /barrier: each container writes a file there once
 * it runs, then waits until the test creates /barrier/go.
 */
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

/** Host pids whose environment holds each entry, from one scan of /proc. */
export async function pidsByEnvEntry(entries: readonly string[]): Promise<Map<string, number[]>> {
  const wanted = new Set(entries);
  const found = new Map<string, number[]>(entries.map((e) => [e, []]));
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(pids.map(async (pid) => {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    for (const entry of environ.split('\0')) if (wanted.has(entry)) found.get(entry)?.push(Number(pid));
  }));
  return found;
}

export interface SubidFiles {
  readonly subuid: string;
  readonly subgid: string;
}

/**
 * Runs `isola ...args` seeing `files` as /etc/subuid and /etc/subgid: unshare(1) gives it a
 * private mount namespace (private propagation), where the test's files are bind-mounted.
 */
export async function runIsolaWithSubids(files: SubidFiles, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-subid-'));
  try {
    await mkdir(dir, { recursive: true });
    const [subuid, subgid] = [join(dir, 'subuid'), join(dir, 'subgid')];
    await Promise.all([writeFile(subuid, files.subuid, { mode: 0o644 }), writeFile(subgid, files.subgid, { mode: 0o644 })]);
    // A bind mount needs a target: an empty file grants nothing, as a missing one does.
    for (const target of ['/etc/subuid', '/etc/subgid']) await writeFile(target, '', { flag: 'a', mode: 0o644 });
    const script = 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec "$@"';
    return await runCommand(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', subuid, subgid, isolaBin, ...args],
      { env: process.env, timeoutMs });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
