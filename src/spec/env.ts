/**
 * Container environment: docker's --env-file format, merging lists where a
 * later KEY=VALUE replaces an earlier one in place, and the variables docker
 * adds itself (PATH, HOSTNAME, TERM, HOME).
 */
import { InvalidOptionError } from '../errors/index.ts';

/** docker's PATH when neither the image nor the user sets one. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where a bare `KEY` line in an env file takes its value from (the CLI passes its environment). */
export type EnvLookup = Readonly<Record<string, string | undefined>>;

/**
 * Parses an env file as docker does: `KEY=VALUE` kept verbatim (no quote
 * removal, no trimming of the value), `KEY` alone copied from `lookup` and
 * dropped when absent there, `#` comments and blank lines skipped, leading
 * whitespace ignored.
 * @param path shown in errors only; the caller reads the file.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for a line with no name
 *   or whitespace in the name, naming the file and line.
 */
export function parseEnvFile(text: string, path: string, lookup: EnvLookup = {}): string[] {
  const entries: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    const key = equals === -1 ? line.trimEnd() : line.slice(0, equals);
    if (key === '' || /\s/.test(key)) {
      throw new InvalidOptionError(`--env-file ${path} line ${index + 1}`, 'KEY=VALUE with no whitespace in KEY', raw);
    }
    if (equals !== -1) {
      entries.push(line);
      return;
    }
    const value = lookup[key];
    if (value !== undefined) entries.push(`${key}=${value}`);
  });
  return entries;
}

function envKey(entry: string): string {
  const equals = entry.indexOf('=');
  return equals === -1 ? entry : entry.slice(0, equals);
}

/**
 * `base` with `overrides` applied: a key already present keeps its position
 * and takes the later value; new keys are appended in order. Duplicates
 * within one list are resolved the same way.
 */
export function mergeEnv(base: readonly string[], overrides: readonly string[] = []): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...base, ...overrides]) merged.set(envKey(entry), entry);
  return [...merged.values()];
}

/** Looks a key up in a KEY=VALUE list; the last entry wins. */
export function envValue(env: readonly string[], key: string): string | undefined {
  for (let index = env.length - 1; index >= 0; index -= 1) {
    const entry = env[index] as string;
    if (envKey(entry) === key) return entry.slice(key.length + 1);
  }
  return undefined;
}

export interface ContainerEnvInput {
  /** Image then user entries, already in that order. */
  readonly env: readonly string[];
  readonly hostname?: string | undefined;
  readonly hasTerminal: boolean;
  /** The resolved user's home; `/` when undefined, as runc does. */
  readonly home?: string | undefined;
}

/**
 * The process environment docker would give: PATH, HOSTNAME and (with a
 * terminal) TERM=xterm first, then the given entries overriding them, then
 * HOME from the user when nothing set it.
 */
export function buildContainerEnv(input: ContainerEnvInput): string[] {
  const defaults = [`PATH=${DEFAULT_PATH}`];
  if (input.hostname !== undefined) defaults.push(`HOSTNAME=${input.hostname}`);
  if (input.hasTerminal) defaults.push('TERM=xterm');
  const env = mergeEnv(defaults, input.env);
  if (envValue(env, 'HOME') === undefined) env.push(`HOME=${input.home ?? '/'}`);
  return env;
}
