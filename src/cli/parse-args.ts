/**
 * A small podman-style flag parser: `--name value`, `--name=value`, `-x value`,
 * bundled short booleans (`-it`), repeatable flags, and flags ending at the
 * first positional or `--`.
 */
import { InvalidOptionError } from '../errors/index.ts';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
  readonly isRepeatable?: boolean;
  /** One line for the command's --help. */
  readonly description: string;
  /** What the value looks like in --help (`DIR`, `C:H:N`). @default 'VALUE' */
  readonly valueName?: string;
}

/**
 * Thrown by parseArgs when `--help` (or `-h`, unless the command gives -h a
 * meaning of its own, as run does for --hostname) comes before the first
 * positional: the caller prints help built from `flags`, the very table the
 * parse used, so help and parsing cannot disagree.
 */
export class HelpRequest {
  readonly flags: readonly FlagSpec[];
  /** Set by a command group (`image`, `volume`) that knows its subcommand. */
  readonly subcommand: string | undefined;
  constructor(flags: readonly FlagSpec[], subcommand?: string) {
    this.flags = flags;
    this.subcommand = subcommand;
  }
}

/** True for `--help`, and for `-h` when no flag in `specs` claims it. */
export function isHelpToken(token: string | undefined, specs: readonly FlagSpec[] = []): boolean {
  if (token === '--help') return !specs.some((s) => s.name === 'help');
  return token === '-h' && !specs.some((s) => s.short === 'h');
}

/** The flags part of a command's help: one line per flag, descriptions aligned. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const heads = specs.map((spec) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.takesValue ? ` ${spec.valueName ?? 'VALUE'}` : '';
    return `  ${short}--${spec.name}${value}`;
  });
  const width = Math.max(0, ...heads.map((head) => head.length));
  return specs.map((spec, i) => {
    const repeat = spec.isRepeatable === true ? ' (repeatable)' : '';
    return `${heads[i]!.padEnd(width)}   ${spec.description}${repeat}`;
  }).join('\n');
}

export interface ParsedArgs {
  /** Flag name to its values; booleans get `['true']`. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

function findFlag(specs: readonly FlagSpec[], token: string): FlagSpec {
  const spec = token.startsWith('--') ? specs.find((s) => s.name === token.slice(2)) : specs.find((s) => s.short === token.slice(1));
  if (spec === undefined) throw new InvalidOptionError(token, 'a known flag (see --help)', token);
  return spec;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string[]>();
  const add = (spec: FlagSpec, value: string): void => {
    const values = flags.get(spec.name) ?? [];
    if (values.length > 0 && spec.isRepeatable !== true) values.length = 0;
    values.push(value);
    flags.set(spec.name, values);
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') { i++; break; }
    if (!token.startsWith('-') || token === '-') break;
    if (isHelpToken(token, specs)) throw new HelpRequest(specs);
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq === -1 ? token : token.slice(0, eq);
    if (!token.startsWith('--') && token.length > 2) {
      // Bundled short flags: every one but the last must be a boolean.
      for (const letter of token.slice(1)) {
        const spec = findFlag(specs, `-${letter}`);
        if (spec.takesValue) throw new InvalidOptionError(token, `-${letter} on its own, followed by its value`, token);
        add(spec, 'true');
      }
      continue;
    }
    const spec = findFlag(specs, name);
    if (!spec.takesValue) {
      add(spec, eq === -1 ? 'true' : token.slice(eq + 1));
      continue;
    }
    const value = eq === -1 ? argv[++i] : token.slice(eq + 1);
    if (value === undefined) throw new InvalidOptionError(name, 'a value', 'nothing');
    add(spec, value);
  }
  return { flags, positionals: argv.slice(i) };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

export function flagValues(args: ParsedArgs, name: string): readonly string[] {
  return args.flags.get(name) ?? [];
}

export function isFlagSet(args: ParsedArgs, name: string): boolean {
  const value = flagValue(args, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidOptionError(`--${name}`, 'true or false', value);
}
