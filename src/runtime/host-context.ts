/**
 * What the runtime must know about the caller to write ID maps: whether it
 * may map any id itself, its own ids and subordinate ranges, and where the
 * newuidmap/newgidmap helpers are.
 */
import { readFileSync } from 'node:fs';
import { findIdMapHelpers, readSubidRanges, type SubidRange } from '../userns/index.ts';

export interface HostContext {
  /** Root in the initial user namespace: may write any map directly. */
  readonly isPrivileged: boolean;
  readonly uid: number;
  readonly gid: number;
  readonly userName: string;
  readonly subuids: readonly SubidRange[];
  readonly subgids: readonly SubidRange[];
  /** Undefined when newuidmap/newgidmap are not installed. */
  readonly idMapHelpers: { readonly newuidmap: string; readonly newgidmap: string } | undefined;
  /**
   * The caller's capability bounding set (CapBnd): a process it starts can
   * hold no other capability. Undefined: unknown, nothing is checked.
   */
  readonly boundingCaps?: bigint | undefined;
}

// /proc files are read synchronously: each read takes tens of microseconds,
// where a promise read costs a thread-pool round trip on `isola run`'s
// start-up path.
function readBoundingCaps(): bigint | undefined {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Unknown: nothing is checked.
  }
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

export const SUBUID_FILE = '/etc/subuid';
export const SUBGID_FILE = '/etc/subgid';

/** True when this process's user namespace is the initial one. */
export async function isInitialUserNamespace(): Promise<boolean> {
  const map = readFileSync('/proc/self/uid_map', 'utf8');
  return /^\s*0\s+0\s+4294967295\s*$/.test(map);
}

export async function readHostContext(searchPath: string): Promise<HostContext> {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  if (uid === 0 && await isInitialUserNamespace()) {
    // Root maps any id directly: no subordinate ranges or helpers needed, and
    // no passwd lookup (node:os and NSS cost 0.5 ms of isola-runtime run).
    return { uid, gid, userName: 'root', boundingCaps: readBoundingCaps(), isPrivileged: true, subuids: [], subgids: [], idMapHelpers: undefined };
  }
  const userName = process.getBuiltinModule('node:os').userInfo().username;
  const identity = { uid, gid, userName, boundingCaps: readBoundingCaps() };
  const user = { name: userName, id: uid };
  const [subuids, subgids, idMapHelpers] = await Promise.all([
    readSubidRanges(SUBUID_FILE, user),
    readSubidRanges(SUBGID_FILE, user),
    findIdMapHelpers(searchPath).catch(() => undefined),
  ]);
  return { ...identity, isPrivileged: false, subuids, subgids, idMapHelpers };
}
