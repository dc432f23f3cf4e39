import { INVALID_ID, type IdMaps, type IdMapEntry } from './id-map.ts';
import type { SubidRange } from './subid-file.ts';

export interface KeepIdCaller {
  readonly uid: number;
  readonly gid: number;
  /** The caller's /etc/subuid ranges, in file order. */
  readonly subuids: readonly SubidRange[];
  /** The caller's /etc/subgid ranges, in file order. */
  readonly subgids: readonly SubidRange[];
}

/**
 * podman's --userns=keep-id for a rootless caller: its uid and gid stay the same inside,
 * so files it owns on the host look like its own in the container. Container ids below
 * it (0..id-1) and then above it (id+1..) are filled from the subordinate ranges in
 * order. Without subordinate ranges only the self-map remains.
 */
export function keepIdMaps(caller: KeepIdCaller): IdMaps {
  return {
    uidMap: keepIdMap(caller.uid, caller.subuids),
    gidMap: keepIdMap(caller.gid, caller.subgids),
  };
}

function keepIdMap(id: number, ranges: readonly SubidRange[]): IdMapEntry[] {
  const entries: IdMapEntry[] = [{ containerId: id, hostId: id, size: 1 }];
  let containerId = 0;
  for (const piece of usableHostRanges(id, ranges)) {
    let hostId = piece.start;
    let left = piece.size;
    while (left > 0) {
      if (containerId === id) containerId++;
      // Below the caller's id a piece may only run up to it; above, up to the id limit.
      const room = containerId < id ? id - containerId : INVALID_ID - containerId;
      const size = Math.min(left, room);
      if (size <= 0) return sortByContainerId(entries);
      entries.push({ containerId, hostId, size });
      containerId += size;
      hostId += size;
      left -= size;
    }
  }
  return sortByContainerId(entries);
}

/**
 * The subordinate ranges in file order, each cut so it holds neither the caller's own id
 * (already self-mapped), nor ids an earlier range gave, nor (u32)-1: duplicated or
 * overlapping lines in /etc/subuid must not yield a map the kernel refuses.
 */
function usableHostRanges(id: number, ranges: readonly SubidRange[]): SubidRange[] {
  let taken: SubidRange[] = [{ start: id, size: 1 }, { start: INVALID_ID, size: 1 }];
  const result: SubidRange[] = [];
  for (const range of ranges) {
    const pieces = taken.reduce<SubidRange[]>((acc, used) => acc.flatMap((p) => subtract(p, used)), [range]);
    result.push(...pieces);
    taken = [...taken, ...pieces];
  }
  return result;
}

function subtract(piece: SubidRange, used: SubidRange): SubidRange[] {
  const [start, end] = [piece.start, piece.start + piece.size];
  const [usedStart, usedEnd] = [used.start, used.start + used.size];
  if (usedEnd <= start || usedStart >= end) return [piece];
  const parts: SubidRange[] = [];
  if (usedStart > start) parts.push({ start, size: usedStart - start });
  if (usedEnd < end) parts.push({ start: usedEnd, size: end - usedEnd });
  return parts;
}

function sortByContainerId(entries: IdMapEntry[]): IdMapEntry[] {
  return entries.sort((a, b) => a.containerId - b.containerId);
}
