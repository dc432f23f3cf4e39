/**
 * The pool `--userns=auto` hands ranges out from. Root uses the `isola` entry of
 * /etc/subuid and /etc/subgid when there is one, else a default pool in the upper half
 * of the 32-bit id space, where distributions never put users or subordinate ranges,
 * minus every range those files grant to anyone. An ordinary user can only map its own
 * subordinate ids (newuidmap checks), so its pool is exactly those.
 */
import { UsernsError } from './errors.ts';
import { describeRange } from './id-map.ts';
import { largestRangeSize, normalizeRanges, subtractRanges } from './id-ranges.ts';
import { subidRangesOf, type SubidLine, type SubidRange, type SubordinateIds } from './subid-file.ts';

/** Ids per container when none is asked for, and the block the default pool is cut into. */
export const DEFAULT_BLOCK_SIZE = 65536;
/**
 * 2^31 up to the last whole 65536-block below 2^32: the block holding 4294967295 is cut
 * off because that id is (u32)-1, which the kernel reserves.
 */
export const DEFAULT_POOL: SubidRange = { start: 2 ** 31, size: 2 ** 32 - DEFAULT_BLOCK_SIZE - 2 ** 31 };
/** The /etc/subuid and /etc/subgid owner whose ranges become root's pool. */
export const POOL_OWNER = 'isola';

export type IdPoolSource = 'config' | 'isola-entry' | 'default' | 'caller';

export interface IdPool {
  readonly source: IdPoolSource;
  /** Host uids that may be handed out, sorted and disjoint. */
  readonly uids: readonly SubidRange[];
  /** Host gids that may be handed out, sorted and disjoint. */
  readonly gids: readonly SubidRange[];
  /** Every block starts on a multiple of this host id. */
  readonly alignment: number;
  /** Ids a container gets when it asks for no size. */
  readonly defaultSize: number;
  /** Names the pool in errors ("the default pool 2147483648-4294901759"). */
  readonly name: string;
  /** What an administrator can do when the pool is too small. */
  readonly growHint: string;
}

/** Parsed /etc/subuid and /etc/subgid, with their paths for messages. */
export interface SubidFiles {
  readonly uidFile: string;
  readonly gidFile: string;
  readonly uidLines: readonly SubidLine[];
  readonly gidLines: readonly SubidLine[];
}

function describeRanges(ranges: readonly SubidRange[]): string {
  return ranges.map((r) => describeRange(r.start, r.size)).join(',');
}

/**
 * Root's pool.
 * @throws UsernsError ISOLA_USERNS_POOL_INCOMPLETE when only one of the files has an `isola` entry.
 */
export function rootIdPool(files: SubidFiles, configured?: SubidRange): IdPool {
  if (configured !== undefined) return configuredIdPool(files, configured);
  const owner = { name: POOL_OWNER, id: -1 };
  const uids = normalizeRanges(subidRangesOf(files.uidLines, owner));
  const gids = normalizeRanges(subidRangesOf(files.gidLines, owner));
  if (uids.length > 0 && gids.length > 0) {
    return {
      source: 'isola-entry', uids, gids, alignment: 1, defaultSize: DEFAULT_BLOCK_SIZE,
      name: `the ${POOL_OWNER} entry of ${files.uidFile} (${describeRanges(uids)}) and ${files.gidFile} (${describeRanges(gids)})`,
      growHint: `grant ${POOL_OWNER} more ids in ${files.uidFile} and ${files.gidFile}`,
    };
  }
  if (uids.length > 0 || gids.length > 0) {
    const [has, lacks] = uids.length > 0 ? [files.uidFile, files.gidFile] : [files.gidFile, files.uidFile];
    throw new UsernsError('ISOLA_USERNS_POOL_INCOMPLETE', `${has} has an ${POOL_OWNER} entry but ${lacks} has none`, {
      file: lacks,
      hint: `add an ${POOL_OWNER} line to ${lacks} (usually the same range as in ${has}), or remove the one in ${has}`,
    });
  }
  // A range granted to anyone is theirs to map (newuidmap lets them): never hand it out.
  const granted = [...files.uidLines, ...files.gidLines].map((line) => line.range);
  const free = subtractRanges([DEFAULT_POOL], granted);
  return {
    source: 'default', uids: free, gids: free, alignment: DEFAULT_BLOCK_SIZE, defaultSize: DEFAULT_BLOCK_SIZE,
    name: `the default pool ${describeRanges(free)}`,
    growHint: `stop containers, or add an ${POOL_OWNER} entry to ${files.uidFile} and ${files.gidFile} to choose the pool`,
  };
}

/** The [pool] of isola.toml, minus what /etc/subuid and /etc/subgid grant to anyone. */
function configuredIdPool(files: SubidFiles, configured: SubidRange): IdPool {
  const granted = [...files.uidLines, ...files.gidLines].map((line) => line.range);
  const free = subtractRanges([configured], granted);
  return {
    source: 'config', uids: free, gids: free, alignment: 1, defaultSize: DEFAULT_BLOCK_SIZE,
    name: `the configured pool ${describeRanges(free)}`,
    growHint: 'stop containers, or enlarge [pool] in isola.toml',
  };
}

/** The caller's ranges in /etc/subuid and /etc/subgid. */
export type PoolCaller = SubordinateIds;

/**
 * An ordinary user's pool: its own subordinate ranges. By default one container gets
 * as many as fit in one range, up to 65536.
 * @throws UsernsError ISOLA_USERNS_NO_SUBIDS when the caller has none in either file.
 */
export function callerIdPool(caller: PoolCaller): IdPool {
  const uids = normalizeRanges(caller.subuids);
  const gids = normalizeRanges(caller.subgids);
  const grant = `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${caller.user}`;
  if (uids.length === 0 || gids.length === 0) {
    const file = uids.length === 0 ? caller.uidFile : caller.gidFile;
    throw new UsernsError('ISOLA_USERNS_NO_SUBIDS', `${caller.user} has no subordinate ids in ${file}`, {
      file,
      hint: `have root grant some (${grant}), or pass --userns=keep-id`,
    });
  }
  return {
    source: 'caller', uids, gids, alignment: 1,
    defaultSize: Math.min(DEFAULT_BLOCK_SIZE, largestRangeSize(uids), largestRangeSize(gids)),
    name: `${caller.user}'s subordinate ids (${caller.uidFile}: ${describeRanges(uids)}; ${caller.gidFile}: ${describeRanges(gids)})`,
    growHint: `stop another container, or have root grant more (${grant})`,
  };
}
