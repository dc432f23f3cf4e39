/**
 * Runs a helper program inside a user namespace that holds the caller's
 * whole allotment: its own id as 0, its subordinate ids from 1 up (podman's
 * "rootless user namespace"). Only there may an ordinary user chown files to
 * its subordinate ids, so the rootless chown-copy and layer unpacking run
 * their work in it. No other namespace, no rootfs, no pivot_root: the helper
 * sees the host's filesystem as the caller does, as root of that namespace
 * with every capability over it.
 */
import { IsolaError } from '../errors/index.ts';
import { spawnShim, type LaunchPlan } from '../launch/index.ts';
import type { IdMapEntry, IdMaps, SubidRange } from '../userns/index.ts';
import type { HostContext } from './host-context.ts';
import { planIdMaps } from './id-map-plan.ts';

/** CAP_CHOWN .. CAP_CHECKPOINT_RESTORE: all 41 capabilities. */
const ALL_CAPABILITIES = (1n << 41n) - 1n;

function allotment(ownId: number, ranges: readonly SubidRange[]): IdMapEntry[] {
  const entries: IdMapEntry[] = [{ containerId: 0, hostId: ownId, size: 1 }];
  let next = 1;
  for (const range of ranges) {
    entries.push({ containerId: next, hostId: range.start, size: range.size });
    next += range.size;
  }
  return entries;
}

/** The caller's namespace maps: its ids to host ids. */
export function callerUsernsMaps(host: HostContext): IdMaps {
  return { uidMap: allotment(host.uid, host.subuids), gidMap: allotment(host.gid, host.subgids) };
}

export interface RunInUsernsOptions {
  readonly host: HostContext;
  readonly shimPath: string;
  /** Program and arguments; the program is found on env's PATH. */
  readonly args: readonly string[];
  readonly env: readonly string[];
}

/**
 * @returns the helper's exit code (its stdio is the caller's).
 * @throws UsernsError when the caller has no subordinate ids or no
 *   newuidmap/newgidmap, ShimError when the namespace cannot be made.
 */
export async function runInCallerUserns(options: RunInUsernsOptions): Promise<number> {
  const maps = callerUsernsMaps(options.host);
  if (options.host.subuids.length === 0 || options.host.subgids.length === 0) {
    throw new IsolaError('ISOLA_RUNTIME_NO_SUBIDS', `${options.host.userName} has no subordinate ids in /etc/subuid and /etc/subgid`,
      { hint: `add a range for ${options.host.userName} to /etc/subuid and /etc/subgid (usermod --add-subuids)` });
  }
  const plan: LaunchPlan = {
    namespaces: ['user'], idMaps: planIdMaps(maps.uidMap, maps.gidMap, options.host),
    ensureDirs: [], mounts: [], symlinks: [], maskedPaths: [], readonlyPaths: [], isLoopbackUp: false, rlimits: [],
    hasNewSession: false, user: { uid: 0, gid: 0, umask: 0o022 }, additionalGids: undefined,
    capabilities: { bounding: ALL_CAPABILITIES, effective: ALL_CAPABILITIES, permitted: ALL_CAPABILITIES, inheritable: 0n, ambient: 0n },
    noNewPrivileges: false, cwd: '/', args: options.args, env: options.env,
  };
  const launched = await spawnShim({ shimPath: options.shimPath, plan, isInteractive: false });
  const status = await launched.exited;
  return status.code ?? 128 + (status.signal ?? 0);
}
