/**
 * The ID maps a container gets for its --userns mode. Sharing the host's user
 * namespace is never a default: only `host` does it.
 */
import { IsolaError } from '../errors/index.ts';
import { keepIdMaps, readRemapIdMaps, type IdMaps } from '../userns/index.ts';
import type { HostContext } from '../runtime/index.ts';
import type { UsernsMode } from '../spec/index.ts';
import type { IdAllocation } from './id-allocator.ts';

export interface ModeIdMaps {
  /** Undefined for `host`: no user namespace. */
  readonly idMaps: IdMaps | undefined;
  /** The block `auto` holds for the container; the caller releases it. */
  readonly allocation: IdAllocation | undefined;
}

/** Allocates `size` ids (or the pool's default) for `auto`. */
export type AllocateIds = (size: number | undefined) => Promise<IdAllocation>;

export async function idMapsForMode(mode: UsernsMode, host: HostContext, allocate: AllocateIds): Promise<ModeIdMaps> {
  switch (mode.kind) {
    case 'host':
      return { idMaps: undefined, allocation: undefined };
    case 'explicit':
      // checkOptions (spec/) has refused an empty map before this runs.
      return { idMaps: { uidMap: mode.uidMap, gidMap: mode.gidMap }, allocation: undefined };
    case 'keep-id':
      if (host.isPrivileged) {
        throw new IsolaError('ISOLA_USERNS_KEEP_ID_ROOTLESS_ONLY', '--userns=keep-id is for rootless use: root has no id to keep',
          { hint: 'pass --uidmap/--gidmap instead' });
      }
      return { idMaps: keepIdMaps({ uid: host.uid, gid: host.gid, subuids: host.subuids, subgids: host.subgids }), allocation: undefined };
    case 'remap':
      return { idMaps: await readRemapIdMaps(mode.user), allocation: undefined };
    case 'auto': {
      const allocation = await allocate(mode.size);
      return { idMaps: allocation.idMaps, allocation };
    }
  }
}
