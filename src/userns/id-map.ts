import { InvalidOptionError } from '../errors/index.ts';
import { UsernsError } from './errors.ts';

/** One line of a uid or gid map: `size` ids from `containerId` inside are `hostId`... outside. */
export interface IdMapEntry {
  readonly containerId: number;
  readonly hostId: number;
  readonly size: number;
}

export interface IdMaps {
  readonly uidMap: readonly IdMapEntry[];
  readonly gidMap: readonly IdMapEntry[];
}

/** (u32)-1: the kernel uses it as "no id", so no map may reach it. */
export const INVALID_ID = 0xffff_ffff;

const decimal = /^[0-9]+$/;

/**
 * Parse podman's `CTR:HOST:LEN` as given to --uidmap/--gidmap.
 * @param option the flag name shown in the error, e.g. `--uidmap`.
 * @throws InvalidOptionError unless CTR and HOST are decimal ids below 4294967295 and LEN is 1..4294967295.
 * Ranges running past the id limit are left to validateIdMap, which names the map line.
 */
export function parseIdMapSpec(text: string, option: string): IdMapEntry {
  const fields = text.split(':');
  const numbers = fields.map((field) => (decimal.test(field) ? Number(field) : Number.NaN));
  const [containerId = Number.NaN, hostId = Number.NaN, size = Number.NaN] = numbers;
  // Ids stop below (u32)-1; a length may be 4294967295 (`0:0:4294967295` maps every id).
  const isWellFormed = numbers.length === 3 && containerId < INVALID_ID && hostId < INVALID_ID && size <= INVALID_ID;
  if (!isWellFormed || size < 1) {
    throw new InvalidOptionError(
      option,
      'CONTAINER_ID:HOST_ID:LENGTH, decimal ids below 4294967295 and a length from 1 to 4294967295',
      text,
      { hint: `write it like ${option} 0:100000:65536` },
    );
  }
  return { containerId, hostId, size };
}

/** The text written to /proc/PID/uid_map (or given to the kernel by newuidmap): one `inside outside length` line each. */
export function formatProcIdMap(entries: readonly IdMapEntry[]): string {
  return entries.map((e) => `${e.containerId} ${e.hostId} ${e.size}\n`).join('');
}

/**
 * Parse what reading /proc/PID/uid_map shows: three right-aligned columns per line.
 * @throws UsernsError ISOLA_USERNS_PROC_MAP_MALFORMED naming the line.
 */
export function parseProcIdMap(text: string): IdMapEntry[] {
  const entries: IdMapEntry[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    const numbers = fields.map((field) => (decimal.test(field) ? Number(field) : Number.NaN));
    const [containerId = Number.NaN, hostId = Number.NaN, size = Number.NaN] = numbers;
    if (numbers.length !== 3 || !numbers.every((n) => Number.isSafeInteger(n) && n <= INVALID_ID)) {
      throw new UsernsError(
        'ISOLA_USERNS_PROC_MAP_MALFORMED',
        `id map line ${index + 1} is not "inside outside length": ${JSON.stringify(line)}`,
        { line: index + 1, hint: 'pass the contents of /proc/PID/uid_map or /proc/PID/gid_map' },
      );
    }
    entries.push({ containerId, hostId, size });
  }
  return entries;
}

/**
 * The host id a container id maps to, or undefined when the map does not cover it
 * (the kernel then shows it as the overflow id, normally 65534).
 */
export function toHostId(entries: readonly IdMapEntry[], containerId: number): number | undefined {
  for (const e of entries) {
    if (containerId >= e.containerId && containerId < e.containerId + e.size) {
      return e.hostId + (containerId - e.containerId);
    }
  }
  return undefined;
}

/** `first-last` of a range, as messages show it. */
export function describeRange(start: number, size: number): string {
  return `${start}-${start + size - 1}`;
}
