import { UsernsError } from './errors.ts';
import { describeRange, formatProcIdMap, INVALID_ID, type IdMapEntry } from './id-map.ts';

/** UID_GID_MAP_MAX_EXTENTS in kernel/user_namespace.c (since Linux 4.15). */
export const MAX_MAP_LINES = 340;

/**
 * map_write() refuses a write of PAGE_SIZE bytes or more. 4096 is the smallest
 * page size Linux uses, so a map under it is accepted on every architecture.
 */
export const MAX_MAP_BYTES = 4095;

type Side = 'containerId' | 'hostId';

/**
 * Check a map against the rules the kernel applies when it is written to
 * /proc/PID/{uid,gid}_map, so the failure names the line instead of a bare EINVAL:
 * 1..340 lines, each of size >= 1 and not reaching 4294967295 on either side,
 * no two lines overlapping inside nor outside (adjacent is fine), under 4096 bytes.
 * @throws UsernsError ISOLA_USERNS_MAP_EMPTY, _TOO_MANY_LINES, _ZERO_LENGTH, _OUT_OF_RANGE,
 *   _OVERLAP or _TOO_LONG; `mapLines` holds the 1-based lines at fault.
 */
export function validateIdMap(entries: readonly IdMapEntry[], kind: 'uid' | 'gid'): void {
  if (entries.length === 0) {
    throw new UsernsError('ISOLA_USERNS_MAP_EMPTY', `${kind} map is empty`, {
      kind,
      hint: `give at least one ${kind} mapping, e.g. 0:100000:65536`,
    });
  }
  if (entries.length > MAX_MAP_LINES) {
    throw new UsernsError(
      'ISOLA_USERNS_MAP_TOO_MANY_LINES',
      `${kind} map has ${entries.length} lines; the kernel accepts at most ${MAX_MAP_LINES}`,
      { kind, hint: 'merge adjacent ranges into fewer, longer lines' },
    );
  }
  entries.forEach((entry, index) => checkEntry(entry, index + 1, kind));
  checkNoOverlap(entries, kind, 'containerId');
  checkNoOverlap(entries, kind, 'hostId');
  const bytes = formatProcIdMap(entries).length;
  if (bytes > MAX_MAP_BYTES) {
    throw new UsernsError(
      'ISOLA_USERNS_MAP_TOO_LONG',
      `${kind} map is ${bytes} bytes long; the kernel accepts at most ${MAX_MAP_BYTES} in one write`,
      { kind, hint: 'merge adjacent ranges into fewer, longer lines' },
    );
  }
}

function checkEntry(entry: IdMapEntry, line: number, kind: 'uid' | 'gid'): void {
  const shown = `${kind} map line ${line} (${entry.containerId} ${entry.hostId} ${entry.size})`;
  const isId = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (!isId(entry.containerId) || !isId(entry.hostId) || !isId(entry.size)) {
    throw new UsernsError('ISOLA_USERNS_MAP_OUT_OF_RANGE', `${shown} holds a value that is not a non-negative integer`, {
      kind,
      mapLines: [line],
      hint: 'ids and lengths are whole numbers from 0 to 4294967294',
    });
  }
  if (entry.size === 0) {
    throw new UsernsError('ISOLA_USERNS_MAP_ZERO_LENGTH', `${shown} has length 0`, {
      kind,
      mapLines: [line],
      hint: 'give every mapping a length of at least 1',
    });
  }
  // The kernel rejects first + count wrapping past (u32)-1, and (u32)-1 itself is "no id".
  for (const side of ['containerId', 'hostId'] as const) {
    if (entry[side] + entry.size > INVALID_ID) {
      throw new UsernsError(
        'ISOLA_USERNS_MAP_OUT_OF_RANGE',
        `${shown}: ${sideName(side)} range ${describeRange(entry[side], entry.size)} reaches past 4294967294`,
        { kind, mapLines: [line], hint: 'the highest id a map may reach is 4294967294; shorten the range' },
      );
    }
  }
}

function checkNoOverlap(entries: readonly IdMapEntry[], kind: 'uid' | 'gid', side: Side): void {
  const order = entries.map((_, index) => index).sort((a, b) => entries[a]![side] - entries[b]![side]);
  // Sorted by start with no overlap so far, ends are increasing too: neighbours are enough.
  for (let k = 1; k < order.length; k++) {
    const [i, j] = [order[k - 1]!, order[k]!];
    const [a, b] = [entries[i]!, entries[j]!];
    if (a[side] + a.size > b[side]) {
      const lines = [i + 1, j + 1].sort((x, y) => x - y);
      throw new UsernsError(
        'ISOLA_USERNS_MAP_OVERLAP',
        `${kind} map lines ${lines[0]} and ${lines[1]} overlap ${sideName(side)}: ` +
          `${describeRange(a[side], a.size)} and ${describeRange(b[side], b.size)}`,
        { kind, mapLines: lines, hint: `change one of the two lines so their ${side === 'hostId' ? 'host' : 'container'} ranges no longer overlap` },
      );
    }
  }
}

function sideName(side: Side): string {
  return side === 'containerId' ? 'inside the container' : 'on the host';
}
