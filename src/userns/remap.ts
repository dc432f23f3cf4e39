/**
 * `--userns=remap:USER`, docker's userns-remap: every container gets USER's
 * /etc/subuid and /etc/subgid ranges, the same for all of them. Nothing is
 * allocated; containers share host ids with each other, which is why it is
 * never the default.
 */
import { UsernsError } from './errors.ts';
import type { IdMapEntry, IdMaps } from './id-map.ts';
import { normalizeRanges, subtractRanges } from './id-ranges.ts';
import { readSubidFile, subidRangesOf, SUBGID_FILE, SUBUID_FILE, type SubidRange, type SubordinateIds } from './subid-file.ts';

/**
 * Container ids from 0 up, filled from the ranges in file order. A range that repeats
 * ids an earlier one gave contributes only its new ids: overlapping host ranges in one
 * map are refused by the kernel.
 */
function mapRanges(ranges: readonly SubidRange[]): IdMapEntry[] {
  const entries: IdMapEntry[] = [];
  let given: SubidRange[] = [];
  let containerId = 0;
  for (const range of ranges) {
    const pieces = subtractRanges([range], given);
    for (const piece of pieces) {
      entries.push({ containerId, hostId: piece.start, size: piece.size });
      containerId += piece.size;
    }
    given = normalizeRanges([...given, ...pieces]);
  }
  return entries;
}

/** The ranges of the user named in remap:USER. */
export type RemapRanges = SubordinateIds;

/** @throws UsernsError ISOLA_USERNS_REMAP_NO_ENTRY when USER has no range in one of the files. */
export function remapIdMaps(ranges: RemapRanges): IdMaps {
  for (const [list, file] of [[ranges.subuids, ranges.uidFile], [ranges.subgids, ranges.gidFile]] as const) {
    if (normalizeRanges(list).length === 0) {
      throw new UsernsError('ISOLA_USERNS_REMAP_NO_ENTRY', `--userns=remap:${ranges.user}: ${ranges.user} has no entry in ${file}`, {
        file,
        hint: `grant ${ranges.user} ids (usermod --add-subuids FIRST-LAST --add-subgids FIRST-LAST ${ranges.user}), or use --userns=auto`,
      });
    }
  }
  return { uidMap: mapRanges(ranges.subuids), gidMap: mapRanges(ranges.subgids) };
}

/**
 * Reads USER's ranges (matched by name, or by number when USER is numeric) and maps them.
 * @throws UsernsError ISOLA_USERNS_REMAP_NO_ENTRY, ISOLA_USERNS_SUBID_MALFORMED, ISOLA_USERNS_SUBID_UNREADABLE.
 */
export async function readRemapIdMaps(user: string, files = { uidFile: SUBUID_FILE, gidFile: SUBGID_FILE }): Promise<IdMaps> {
  const [uidLines, gidLines] = await Promise.all([readSubidFile(files.uidFile), readSubidFile(files.gidFile)]);
  const owner = { name: user, id: -1 };
  return remapIdMaps({ user, subuids: subidRangesOf(uidLines, owner), subgids: subidRangesOf(gidLines, owner), ...files });
}
