/**
 * The ids a chowned copy of a layer gets: a file owned by id N in the layer
 * must show as N in the container, so on disk it belongs to the host id the
 * container's map gives N, written as the id the copying process sees for
 * that host id (itself in a user namespace when rootless). Ids the container
 * does not map become the overflow id, 65534, as an ID-mapped mount shows
 * them: never some unrelated host id.
 */
import type { IdMapEntry } from '../userns/index.ts';

export const OVERFLOW_ID = 65534;

/** A sorted list of [first, last, delta]: id in [first, last] becomes id + delta. */
export type ShiftTable = readonly (readonly [number, number, number])[];

export interface IdShift {
  readonly uids: ShiftTable;
  readonly gids: ShiftTable;
  /** Written for ids outside every range. */
  readonly overflow: { readonly uid: number; readonly gid: number };
}

function toWriterId(writerMap: readonly IdMapEntry[] | undefined, hostId: number): number | undefined {
  if (writerMap === undefined) return hostId;
  const entry = writerMap.find((e) => hostId >= e.hostId && hostId < e.hostId + e.size);
  return entry === undefined ? undefined : entry.containerId + (hostId - entry.hostId);
}

/**
 * `containerMap` maps a layer's ids to host ids; `writerMap`, when the copy
 * runs in a user namespace, maps that namespace's ids to host ids.
 */
export function shiftTable(containerMap: readonly IdMapEntry[], writerMap: readonly IdMapEntry[] | undefined): ShiftTable {
  const table: [number, number, number][] = [];
  for (const entry of containerMap) {
    // Split the entry where the writer's ranges start and end.
    let first = entry.containerId;
    const end = entry.containerId + entry.size;
    while (first < end) {
      const host = entry.hostId + (first - entry.containerId);
      const writer = writerMap?.find((w) => host >= w.hostId && host < w.hostId + w.size);
      if (writerMap !== undefined && writer === undefined) {
        first++;
        continue;
      }
      const room = writer === undefined ? end - first : Math.min(end - first, writer.hostId + writer.size - host);
      const writerId = toWriterId(writerMap, host)!;
      table.push([first, first + room - 1, writerId - first]);
      first += room;
    }
  }
  return table.sort((a, b) => a[0] - b[0]);
}

export function shiftId(table: ShiftTable, id: number, overflow: number): number {
  for (const [first, last, delta] of table) if (id >= first && id <= last) return id + delta;
  return overflow;
}

/**
 * The overflow id as the writer writes it: the host's 65534; a writer in a
 * user namespace that cannot write that uses the container's 65534 (still
 * nobody inside), else its own root (the caller).
 */
function overflowFor(table: ShiftTable, writerMap: readonly IdMapEntry[] | undefined): number {
  if (writerMap === undefined) return OVERFLOW_ID;
  return toWriterId(writerMap, OVERFLOW_ID) ?? shiftId(table, OVERFLOW_ID, 0);
}

export function idShift(maps: { readonly uidMap: readonly IdMapEntry[]; readonly gidMap: readonly IdMapEntry[] },
  writer?: { readonly uidMap: readonly IdMapEntry[]; readonly gidMap: readonly IdMapEntry[] }): IdShift {
  const uids = shiftTable(maps.uidMap, writer?.uidMap);
  const gids = shiftTable(maps.gidMap, writer?.gidMap);
  return { uids, gids, overflow: { uid: overflowFor(uids, writer?.uidMap), gid: overflowFor(gids, writer?.gidMap) } };
}
