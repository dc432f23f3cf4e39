/**
 * Helpers for tests of detached containers: the CLI bound to one test's
 * --root/--runroot, JSON views, and the check that nothing a container held
 * is left (state rows, id allocations, run directories, cgroups, processes).
 */
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runIsola } from './run-cli.ts';
import type { CommandResult } from './run-command.ts';
import type { TempDirs } from './temp-dirs.ts';

export interface Isola {
  (...args: string[]): Promise<CommandResult>;
  /** Like the call, but asserts exit status 0 and returns stdout. */
  ok(...args: string[]): Promise<string>;
}

export function isolaIn(dirs: TempDirs, env?: Readonly<Record<string, string>>): Isola {
  const call = (...args: string[]): Promise<CommandResult> => runIsola([...dirs.args, ...args], { env, timeoutMs: 120_000 });
  return Object.assign(call, {
    ok: async (...args: string[]): Promise<string> => {
      const result = await call(...args);
      assert.equal(result.code, 0, `isola ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    },
  });
}

export interface PsEntry {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly State: string;
  readonly ExitCode: number | null;
  readonly Pid: number;
  readonly HostUids: readonly { readonly start: number; readonly size: number }[];
}

export async function psJson(isola: Isola): Promise<PsEntry[]> {
  return JSON.parse(await isola.ok('ps', '-a', '--format', 'json')) as PsEntry[];
}

export interface InspectEntry {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly exitCode: number | null;
  readonly pid?: number;
  readonly monitorPid?: number;
  readonly hostUids: readonly { readonly start: number; readonly size: number }[];
  readonly cgroupDirs: readonly string[];
  readonly runDir: string;
}

export async function inspect(isola: Isola, ref: string): Promise<InspectEntry> {
  return (JSON.parse(await isola.ok('inspect', ref)) as InspectEntry[])[0]!;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** cgroup directories named after `id` in any hierarchy (isola/<id>). */
export async function cgroupDirsOf(id: string): Promise<string[]> {
  const base = '/sys/fs/cgroup';
  const candidates = [join(base, 'isola', id), ...(await readdir(base).catch(() => [])).map((h) => join(base, h, 'isola', id))];
  const found = await Promise.all(candidates.map(exists));
  return candidates.filter((_, i) => found[i]);
}

/** No container, no id allocation, no run directory, and no cgroup of any of `ids`. */
export async function assertNothingLeft(isola: Isola, dirs: TempDirs, ids: readonly string[]): Promise<void> {
  assert.deepEqual(await psJson(isola), []);
  const allocations = JSON.parse(await isola.ok('userns', 'ls', '--format', 'json')) as unknown[];
  assert.deepEqual(allocations, []);
  assert.deepEqual(await readdir(join(dirs.runroot, 'containers')).catch(() => []), []);
  for (const id of ids) assert.deepEqual(await cgroupDirsOf(id), [], `cgroup of ${id}`);
}

/** Resident and proportional memory of a process, in KiB (smaps_rollup). */
export async function readMemoryKib(pid: number): Promise<{ rssKib: number; pssKib: number }> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKib: field('Rss'), pssKib: field('Pss') };
}
