/**
 * The configuration file: /etc/isola/isola.toml, then the user's
 * ~/.config/isola/isola.toml (rootless), later files overriding earlier ones
 * key by key. Every key is checked; an unknown key or a wrong type is an
 * error naming the file and the key, since a silently ignored setting is a
 * security setting that silently does not apply.
 *
 * ```toml
 * userns = "auto"                # default --userns: auto, auto:size=N, keep-id, host, remap:USER
 * auto_size = 65536              # ids per container in auto mode
 * pids_limit = 2048              # default --pids-limit (0: none)
 * default_ulimits = ["nofile=1024:524288", "nproc=8192"]
 *
 * [pool]                         # root's auto pool, instead of the default 2^31 and up
 * start = 3000000000
 * size = 655360
 * ```
 */
import { parse, TomlError } from 'smol-toml';
import { IsolaError } from '../../errors/index.ts';
import { parseUlimit, type Ulimit } from '../../security/index.ts';

export interface EngineConfig {
  /** The --userns value used when no mapping flag is given. */
  readonly userns?: string | undefined;
  /** Ids per container in auto mode. */
  readonly autoSize?: number | undefined;
  /** Default for --pids-limit; 0 means no limit. */
  readonly pidsLimit?: number | undefined;
  /** Limits every container gets unless --ulimit names the same resource. */
  readonly defaultUlimits?: readonly Ulimit[] | undefined;
  /** Root's auto pool. */
  readonly pool?: { readonly start: number; readonly size: number } | undefined;
}

export class ConfigError extends IsolaError {
  readonly file: string;

  constructor(file: string, message: string, hint?: string) {
    super('ISOLA_CONFIG_INVALID', `${file}: ${message}`, { hint: hint ?? `fix or remove the setting in ${file}` });
    this.name = 'ConfigError';
    this.file = file;
  }
}

type Table = Record<string, unknown>;

function positiveInteger(file: string, key: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(file, `${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parsePool(file: string, value: unknown): EngineConfig['pool'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, '[pool] must be a table with start and size');
  const { start, size, ...rest } = value as Table;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ConfigError(file, `unknown key pool.${unknown}`, 'the [pool] table takes start and size');
  const pool = { start: positiveInteger(file, 'pool.start', start), size: positiveInteger(file, 'pool.size', size) };
  if (pool.start + pool.size > 2 ** 32 - 1) throw new ConfigError(file, `pool ${pool.start}+${pool.size} reaches past 4294967294`);
  return pool;
}

function parseUlimits(file: string, value: unknown): Ulimit[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(file, 'default_ulimits must be a list of "name=soft[:hard]" strings');
  }
  return value.map((text: string) => {
    try {
      return parseUlimit(text);
    } catch (error) {
      throw new ConfigError(file, `default_ulimits: ${(error as Error).message}`);
    }
  });
}

/** Parses one file's text. @throws ConfigError (ISOLA_CONFIG_INVALID) */
export function parseEngineConfig(text: string, file: string): EngineConfig {
  let table: Table;
  try {
    table = parse(text) as Table;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}` : '';
    throw new ConfigError(file, `not valid TOML${where}: ${(error as Error).message.split('\n')[0]}`);
  }
  const config: { -readonly [K in keyof EngineConfig]: EngineConfig[K] } = {};
  for (const [key, value] of Object.entries(table)) {
    if (key === 'userns') {
      if (typeof value !== 'string' || value === '') throw new ConfigError(file, 'userns must be a string such as "auto" or "remap:USER"');
      config.userns = value;
    } else if (key === 'auto_size') config.autoSize = positiveInteger(file, key, value);
    else if (key === 'pids_limit') config.pidsLimit = positiveInteger(file, key, value, true);
    else if (key === 'default_ulimits') config.defaultUlimits = parseUlimits(file, value);
    else if (key === 'pool') config.pool = parsePool(file, value);
    else throw new ConfigError(file, `unknown key ${key}`, 'known keys: userns, auto_size, pids_limit, default_ulimits, [pool]');
  }
  return config;
}

/** Later configs override earlier ones key by key. */
export function mergeEngineConfigs(configs: readonly EngineConfig[]): EngineConfig {
  const merged: Record<string, unknown> = {};
  for (const config of configs) for (const [key, value] of Object.entries(config)) if (value !== undefined) merged[key] = value;
  return merged as EngineConfig;
}
