/**
 * The ID maps a container gets for its --userns mode. Sharing the host's user
 * namespace is never a default: only `host` does it.
 */
import { IsolaError } from '../errors/index.ts';
import { keepIdMaps, type IdMaps } from '../userns/index.ts';
import type { HostContext } from '../runtime/index.ts';
import type { UsernsMode } from '../spec/index.ts';

export function idMapsForMode(mode: UsernsMode, host: HostContext): IdMaps | undefined {
  switch (mode.kind) {
    case 'host':
      return undefined;
    case 'explicit':
      if (mode.uidMap.length === 0 || mode.gidMap.length === 0) {
        throw new IsolaError('ISOLA_USERNS_MAP_INCOMPLETE', `--${mode.uidMap.length === 0 ? 'uidmap' : 'gidmap'} is missing`,
          { hint: 'give both --uidmap and --gidmap' });
      }
      return { uidMap: mode.uidMap, gidMap: mode.gidMap };
    case 'keep-id':
      if (host.isPrivileged) {
        throw new IsolaError('ISOLA_USERNS_KEEP_ID_ROOTLESS_ONLY', '--userns=keep-id is for rootless use: root has no id to keep',
          { hint: 'pass --uidmap/--gidmap instead' });
      }
      return keepIdMaps({ uid: host.uid, gid: host.gid, subuids: host.subuids, subgids: host.subgids });
    case 'auto':
    case 'remap':
      // TODO(#3): the allocator gives every container its own range.
      throw new IsolaError('ISOLA_USERNS_AUTO_UNAVAILABLE', `--userns=${mode.kind} needs the ID range allocator, which is not built yet`,
        { hint: host.isPrivileged ? 'pass --uidmap 0:100000:65536 --gidmap 0:100000:65536' : 'pass --userns=keep-id or explicit --uidmap/--gidmap' });
  }
}
