/**
 * Flags as runc's command line (urfave/cli) takes them: `-name` or `--name`,
 * `--name value` or `--name=value`, booleans as `--name` or `--name=false`,
 * one-letter aliases, and flags ending at the first positional.
 */
import { InvalidOptionError } from '../../errors/index.ts';

export interface RuntimeFlag {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly takesValue: boolean;
  readonly isRepeatable?: boolean;
}

export interface RuntimeArgs {
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

export function parseRuntimeArgs(argv: readonly string[], specs: readonly RuntimeFlag[]): RuntimeArgs {
  const flags = new Map<string, string[]>();
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') { i++; break; }
    if (!token.startsWith('-') || token === '-') break;
    const body = token.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.find((s) => s.name === name || (s.aliases ?? []).includes(name));
    if (spec === undefined) throw new InvalidOptionError(token, 'a flag of this command (see --help)', token);
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (spec.takesValue && value === undefined) value = argv[++i];
    if (value === undefined && spec.takesValue) throw new InvalidOptionError(`--${spec.name}`, 'a value', 'nothing');
    const values = spec.isRepeatable === true ? flags.get(spec.name) ?? [] : [];
    values.push(value ?? 'true');
    flags.set(spec.name, values);
  }
  return { flags, positionals: argv.slice(i) };
}

export function flagString(args: RuntimeArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

export function flagBoolean(args: RuntimeArgs, name: string): boolean {
  const value = flagString(args, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidOptionError(`--${name}`, 'true or false', value);
}

export function flagList(args: RuntimeArgs, name: string): readonly string[] {
  return args.flags.get(name) ?? [];
}

/** The one container id a command takes. */
export function containerIdArg(args: RuntimeArgs, command: string): string {
  const id = args.positionals[0];
  if (id === undefined || id === '') throw new InvalidOptionError(command, 'a container id', 'nothing');
  return id;
}

/** --preserve-fds N: how many of the caller's fds from 3 on the process gets. */
export function preserveFdsFlag(args: RuntimeArgs): number {
  const text = flagString(args, 'preserve-fds') ?? '0';
  if (!/^\d{1,5}$/.test(text)) throw new InvalidOptionError('--preserve-fds', 'a count of fds (a number from 0)', text);
  return Number(text);
}
