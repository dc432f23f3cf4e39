/**
 * docker's --ulimit names and values. The kernel stores limits as u64 with
 * RLIM_INFINITY = 2^64-1, which a JS number cannot hold: config.json carries
 * 18446744073709551615 and JSON.parse reads it as 2^64, so RLIM_INFINITY here
 * is that number and `rlimitToBigInt` turns it back into the exact u64.
 * Finite values are kept below 2^53 so every one converts exactly.
 */
import { InvalidOptionError } from '../errors/index.ts';

/** docker's `--ulimit` name -> kernel resource number and OCI type. */
export const ULIMIT_RESOURCES = {
  cpu: { number: 0, type: 'RLIMIT_CPU' },
  fsize: { number: 1, type: 'RLIMIT_FSIZE' },
  data: { number: 2, type: 'RLIMIT_DATA' },
  stack: { number: 3, type: 'RLIMIT_STACK' },
  core: { number: 4, type: 'RLIMIT_CORE' },
  rss: { number: 5, type: 'RLIMIT_RSS' },
  nproc: { number: 6, type: 'RLIMIT_NPROC' },
  nofile: { number: 7, type: 'RLIMIT_NOFILE' },
  memlock: { number: 8, type: 'RLIMIT_MEMLOCK' },
  as: { number: 9, type: 'RLIMIT_AS' },
  locks: { number: 10, type: 'RLIMIT_LOCKS' },
  sigpending: { number: 11, type: 'RLIMIT_SIGPENDING' },
  msgqueue: { number: 12, type: 'RLIMIT_MSGQUEUE' },
  nice: { number: 13, type: 'RLIMIT_NICE' },
  rtprio: { number: 14, type: 'RLIMIT_RTPRIO' },
  rttime: { number: 15, type: 'RLIMIT_RTTIME' },
} as const;

export type UlimitName = keyof typeof ULIMIT_RESOURCES;
export type RlimitType = (typeof ULIMIT_RESOURCES)[UlimitName]['type'];

export interface RlimitResource {
  readonly number: number;
  readonly type: RlimitType;
}

/** RLIM_INFINITY as a JSON number (2^64, what JSON.parse makes of 2^64-1). */
export const RLIM_INFINITY: number = 2 ** 64;

/** RLIM_INFINITY exactly, as the kernel and the launch plan hold it. */
export const RLIM_INFINITY_BIGINT: bigint = 2n ** 64n - 1n;

/** A limit as docker's `--ulimit name=soft:hard` gives it. */
export interface Ulimit {
  readonly name: UlimitName;
  /** RLIM_INFINITY for unlimited. */
  readonly soft: number;
  readonly hard: number;
}

/**
 * The resource for a docker ulimit name (`nofile`; `RLIMIT_NOFILE` is accepted too).
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for an unknown name.
 */
export function rlimitResource(name: string): RlimitResource {
  const key = name.trim().toLowerCase().replace(/^rlimit_/, '');
  if (!Object.hasOwn(ULIMIT_RESOURCES, key)) {
    throw new InvalidOptionError('--ulimit', `one of ${Object.keys(ULIMIT_RESOURCES).join(', ')}`, name);
  }
  return ULIMIT_RESOURCES[key as UlimitName];
}

/**
 * The exact u64 for a limit value: RLIM_INFINITY (or anything from 2^64 up,
 * and -1 as docker writes it) becomes 2^64-1.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for a fraction or a negative other than -1.
 */
export function rlimitToBigInt(value: number): bigint {
  if (value === -1 || value >= RLIM_INFINITY) return RLIM_INFINITY_BIGINT;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError('rlimit', 'an integer from 0 to 2^64-1, or -1 for unlimited', value);
  }
  return BigInt(value);
}

function parseLimitValue(text: string, whole: string): number {
  if (text === 'unlimited' || text === '-1') return RLIM_INFINITY;
  const expected = 'name=soft[:hard] with non-negative integers or "unlimited"';
  if (!/^\d+$/.test(text)) throw new InvalidOptionError('--ulimit', expected, whole);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new InvalidOptionError('--ulimit', `a value below 2^53`, whole, {
      hint: 'use "unlimited" for no limit',
    });
  }
  return value;
}

/**
 * Parses docker's `--ulimit` syntax: `nofile=1024:2048`, `nproc=512` (hard =
 * soft), `core=unlimited`, `core=-1:-1`.
 * @throws InvalidOptionError (ISOLA_INVALID_OPTION) for an unknown name, a
 *   negative or non-numeric value, or a soft limit above the hard one.
 */
export function parseUlimit(text: string): Ulimit {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidOptionError('--ulimit', 'name=soft[:hard]', text);
  const name = text.slice(0, equals).trim().toLowerCase();
  rlimitResource(name);
  const values = text.slice(equals + 1).split(':');
  if (values.length > 2) throw new InvalidOptionError('--ulimit', 'name=soft[:hard]', text);
  const soft = parseLimitValue(values[0] ?? '', text);
  const hard = values[1] === undefined ? soft : parseLimitValue(values[1], text);
  if (soft > hard) {
    throw new InvalidOptionError('--ulimit', 'a soft limit not above the hard limit', text);
  }
  return { name: name as UlimitName, soft, hard };
}
