/**
 * Compiled filters that skip the compiler on the hot path of `isola run`:
 * the build (scripts/build.ts) compiles the default profile into
 * dist/seccomp-precompiled.json, next to the bundle that holds this code, and
 * every compile is remembered for the rest of the process.
 *
 * A shipped program is used only for a profile whose JSON text is exactly the
 * one it was compiled from, on the architecture it was compiled on, so a
 * stale or foreign file can cost a compile, never a wrong filter. The file
 * and the bundle come from the same build, so the compiler that made the
 * program is the one that would run now. Run from sources (no bundle), no
 * file is found and profiles compile as before.
 */
import { readFileSync } from 'node:fs';
import { BPF_MAX_INSTRUCTIONS } from './bpf.ts';
import { resolveCapabilities } from '../capabilities.ts';
import { compileSeccomp, type CompiledSeccomp, type CompileSeccompOptions } from './compile.ts';
import { defaultSeccompProfile } from './default-profile.ts';
import type { SeccompProfile } from './profile.ts';

/** Bumped when the file's shape changes; a file of another version is ignored. */
export const PRECOMPILED_SECCOMP_VERSION = 1;

/** The file's name, in the directory of the module that reads it (dist/ when bundled). */
export const PRECOMPILED_SECCOMP_FILE = 'seccomp-precompiled.json';

export interface PrecompiledSeccompEntry {
  /** `process.arch` of the compiling Node: the native architecture decides what the profile means. */
  readonly arch: string;
  /** JSON.stringify of the profile it was compiled from. */
  readonly profile: string;
  /** The program's bytes, base64. */
  readonly program: string;
  readonly instructionCount: number;
  readonly flags: number;
  readonly skippedSyscalls: readonly string[];
  readonly skippedArchitectures: readonly string[];
}

export interface PrecompiledSeccompFile {
  readonly version: typeof PRECOMPILED_SECCOMP_VERSION;
  readonly entries: readonly PrecompiledSeccompEntry[];
}

/** Compiles each profile for this architecture. @throws SeccompError as compileSeccomp. */
export function precompileSeccomp(profiles: readonly SeccompProfile[]): PrecompiledSeccompFile {
  const entries = profiles.map((profile) => {
    const compiled = compileSeccomp(profile);
    return {
      arch: process.arch, profile: JSON.stringify(profile), program: Buffer.from(compiled.program).toString('base64'),
      instructionCount: compiled.instructionCount, flags: compiled.flags,
      skippedSyscalls: compiled.skippedSyscalls, skippedArchitectures: compiled.skippedArchitectures,
    };
  });
  return { version: PRECOMPILED_SECCOMP_VERSION, entries };
}

/**
 * What the build ships: the default profile for the default capabilities, and
 * for the two `--cap-add`s that change its text (SYS_ADMIN, SYS_PTRACE); other
 * capabilities leave the default's text, so they hit the first entry.
 */
export function precompileDefaultSeccomp(): PrecompiledSeccompFile {
  const variants = [[], ['CAP_SYS_ADMIN'], ['CAP_SYS_PTRACE']].map((add) => resolveCapabilities({ add, drop: [], isPrivileged: false }));
  return precompileSeccomp(variants.map((capabilities) => defaultSeccompProfile({ capabilities })));
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The entry's program, or undefined when the entry is malformed. */
function decodeEntry(entry: PrecompiledSeccompEntry): CompiledSeccomp | undefined {
  const { instructionCount, flags } = entry;
  if (typeof entry.program !== 'string' || !Number.isInteger(instructionCount) || instructionCount < 1 || instructionCount > BPF_MAX_INSTRUCTIONS
    || !Number.isInteger(flags) || !isStringArray(entry.skippedSyscalls) || !isStringArray(entry.skippedArchitectures)) return undefined;
  const bytes = Buffer.from(entry.program, 'base64');
  if (bytes.length !== instructionCount * 8) return undefined;
  return {
    program: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), instructionCount, flags,
    skippedSyscalls: [...entry.skippedSyscalls], skippedArchitectures: [...entry.skippedArchitectures],
  };
}

/**
 * The shipped program for this profile text on this architecture, or
 * undefined (another profile, another architecture, another file version,
 * a malformed file): then the caller compiles.
 */
export function findPrecompiledSeccomp(file: unknown, profileJson: string, arch: string = process.arch): CompiledSeccomp | undefined {
  if (typeof file !== 'object' || file === null) return undefined;
  const { version, entries } = file as Partial<PrecompiledSeccompFile>;
  if (version !== PRECOMPILED_SECCOMP_VERSION || !Array.isArray(entries)) return undefined;
  const entry = entries.find((e: PrecompiledSeccompEntry | null) => e?.arch === arch && e.profile === profileJson);
  return entry === undefined ? undefined : decodeEntry(entry);
}

/** The shipped file, or undefined when there is none (run from sources) or it is not JSON. */
export async function readPrecompiledSeccomp(url: URL = new URL(PRECOMPILED_SECCOMP_FILE, import.meta.url)): Promise<unknown> {
  try {
    // Synchronous: read once per process on `isola run`'s start-up path,
    // where a promise read costs a thread-pool round trip.
    return JSON.parse(readFileSync(url, 'utf8')) as unknown;
  } catch {
    // Missing or damaged: compiling gives the same program, only slower.
    return undefined;
  }
}

/** Compiles kept per process: an engine that runs many containers compiles each profile once. */
const MEMO_LIMIT = 16;
const memo = new Map<string, CompiledSeccomp>();
let shipped: Promise<unknown> | undefined;

export interface CachedCompileOptions extends CompileSeccompOptions {
  /** Where the shipped programs are. @default dist/seccomp-precompiled.json beside the bundle */
  readonly precompiledUrl?: URL | undefined;
}

/**
 * compileSeccomp's result for this profile, from the shipped file or this
 * process's earlier compiles when they hold it.
 * @throws SeccompError as compileSeccomp, for a profile that must be compiled.
 */
export async function compileSeccompCached(profile: SeccompProfile, options: CachedCompileOptions = {}): Promise<CompiledSeccomp> {
  const profileJson = JSON.stringify(profile);
  const remembered = memo.get(profileJson);
  if (remembered !== undefined) return remembered;
  const file = options.precompiledUrl === undefined ? await (shipped ??= readPrecompiledSeccomp()) : await readPrecompiledSeccomp(options.precompiledUrl);
  const compiled = findPrecompiledSeccomp(file, profileJson) ?? compileSeccomp(profile, options);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(profileJson, compiled);
  return compiled;
}
