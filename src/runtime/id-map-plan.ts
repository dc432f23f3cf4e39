/**
 * How the shim writes a container's ID maps: checked against the kernel's
 * rules and the caller's allotment first, so a bad map fails before any
 * process or mount exists.
 */
import { IsolaError } from '../errors/index.ts';
import { checkMapAllowed, chooseMapWriter, toHostId, UsernsError, validateIdMap, type IdMapEntry } from '../userns/index.ts';
import type { PlanIdMaps } from '../launch/index.ts';
import type { OciIdMapping } from './oci-config.ts';
import { SUBGID_FILE, SUBUID_FILE, type HostContext } from './host-context.ts';

export function toIdMapEntries(mappings: readonly OciIdMapping[] | undefined): IdMapEntry[] {
  return (mappings ?? []).map((m) => ({ containerId: m.containerID, hostId: m.hostID, size: m.size }));
}

export function planIdMaps(uidMap: readonly IdMapEntry[], gidMap: readonly IdMapEntry[], host: HostContext): PlanIdMaps {
  validateIdMap(uidMap, 'uid');
  validateIdMap(gidMap, 'gid');
  checkMapAllowed(uidMap, 'uid', { isPrivileged: host.isPrivileged, id: host.uid, name: host.userName, subidRanges: host.subuids, subidFile: SUBUID_FILE });
  checkMapAllowed(gidMap, 'gid', { isPrivileged: host.isPrivileged, id: host.gid, name: host.userName, subidRanges: host.subgids, subidFile: SUBGID_FILE });
  const uidWriter = chooseMapWriter(uidMap, 'uid', { isPrivileged: host.isPrivileged, id: host.uid });
  const gidWriter = chooseMapWriter(gidMap, 'gid', { isPrivileged: host.isPrivileged, id: host.gid });
  const isRootMapped = toHostId(uidMap, 0) !== undefined && toHostId(gidMap, 0) !== undefined;
  const setupIds = isRootMapped ? { uid: 0, gid: 0 } : undefined;
  if (uidWriter.method === 'direct' && gidWriter.method === 'direct') {
    return { uidMap, gidMap, setupIds, writer: { method: 'direct', denySetgroups: gidWriter.denySetgroups } };
  }
  if (host.idMapHelpers === undefined) {
    throw new UsernsError('ISOLA_USERNS_NEWUIDMAP_MISSING', 'newuidmap and newgidmap are needed to write this map and are not installed',
      { hint: 'install the uidmap package (apt-get install uidmap), or use --userns=keep-id without subordinate ids' });
  }
  return { uidMap, gidMap, setupIds, writer: { method: 'helper', ...host.idMapHelpers } };
}

/** Without a user namespace, only a privileged caller can set up mounts. */
export function checkNoUsernsAllowed(host: HostContext): void {
  if (!host.isPrivileged) {
    throw new IsolaError('ISOLA_RUNTIME_USERNS_REQUIRED', 'a container without a user namespace needs root',
      { hint: 'drop --userns=host, or run as root' });
  }
}
