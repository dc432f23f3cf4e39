/**
 * Shared set-up for the --userns=auto tests: maps as the kernel shows them, the
 * host's view of containers tagged with an environment entry, and isola run
 * with its own /etc/subuid and /etc/subgid (bind-mounted in a private mount
 * namespace, so the host's files and other tests never see them).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
