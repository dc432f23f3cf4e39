import { UsernsError } from './errors.ts';
import { describeRange, type IdMapEntry } from './id-map.ts';
import type { SubidRange } from './subid-file.ts';

export interface MapCaller {
  /** Root (CAP_SETUID/CAP_SETGID) in the initial user namespace. */
  readonly isPrivileged: boolean;
  /** The caller's own uid (for a uid map) or gid (for a gid map). */
  readonly id: number;
  readonly name: string;
  /** The caller's ranges from `subidFile`, as readSubidRanges returns them. */
  readonly subidRanges: readonly SubidRange[];
  /** /etc/subuid or /etc/subgid, named in the error. */
  readonly subidFile: string;
}

/**
 * Refuse a map the caller may not write, before any process exists: root in the initial
 * user namespace may map anything; anyone else only their own id (a line of size 1) and
 * ids their subordinate ranges grant, which is what newuidmap/newgidmap will enforce.
 * @throws UsernsError ISOLA_USERNS_MAP_NOT_ALLOWED naming the first range not granted.
 */
export function checkMapAllowed(entries: readonly IdMapEntry[], kind: 'uid' | 'gid', caller: MapCaller): void {
  if (caller.isPrivileged) return;
  for (const [index, entry] of entries.entries()) {
    const isOwnId = entry.size === 1 && entry.hostId === caller.id;
    if (isOwnId || isCovered(entry.hostId, entry.size, caller.subidRanges)) continue;
    const range = describeRange(entry.hostId, entry.size);
    throw new UsernsError('ISOLA_USERNS_MAP_NOT_ALLOWED', `${kind} range ${range} is not in ${caller.subidFile} for ${caller.name}`, {
      kind,
      mapLines: [index + 1],
      file: caller.subidFile,
      hint:
        `map only ids ${caller.subidFile} grants to ${caller.name}, or have root grant them ` +
        `(usermod --add-sub${kind}s ${range} ${caller.name})`,
    });
  }
}

/**
 * True when every id of [start, start + size) lies in some range. Like shadow-utils'
 * have_range(), a request may span ranges that touch end to end.
 */
function isCovered(start: number, size: number, ranges: readonly SubidRange[]): boolean {
  const end = start + size;
  let next = start;
  // Each step moves `next` strictly forward to the end of a range, so this terminates.
  while (next < end) {
    const holder = ranges.find((r) => next >= r.start && next < r.start + r.size);
    if (holder === undefined) return false;
    next = holder.start + holder.size;
  }
  return true;
}

/** How a map gets into /proc/PID/{uid,gid}_map. */
export type MapWriter = { readonly method: 'direct'; readonly denySetgroups: boolean } | { readonly method: 'helper' };

/**
 * Pick the writer the kernel will accept. A privileged caller writes directly. An
 * unprivileged one may write directly only a single line mapping its own id; for a gid
 * map it must first write "deny" to /proc/PID/setgroups (user_namespaces(7), the fix for
 * CVE-2014-8989), so that dropping a group cannot be undone by setgroups(). Anything
 * else needs the setuid newuidmap/newgidmap, which check /etc/subuid and /etc/subgid.
 */
export function chooseMapWriter(
  entries: readonly IdMapEntry[],
  kind: 'uid' | 'gid',
  caller: { readonly isPrivileged: boolean; readonly id: number },
): MapWriter {
  if (caller.isPrivileged) return { method: 'direct', denySetgroups: false };
  const [only] = entries;
  const isSelfMapOnly = entries.length === 1 && only !== undefined && only.size === 1 && only.hostId === caller.id;
  if (isSelfMapOnly) return { method: 'direct', denySetgroups: kind === 'gid' };
  return { method: 'helper' };
}
