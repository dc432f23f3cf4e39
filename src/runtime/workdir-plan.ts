/**
 * The process's working directory when the rootfs lacks it: docker makes it
 * (podman for an image's WorkingDir), and runc does for any bundle. The runtime does as runc: the init
 * makes it after the mounts, as the container's root. The engine does as
 * podman: the directory (not its parents) is the process user's, and outside
 * every mount the shim makes it before clone as the caller, since a --rootfs
 * directory belongs to the caller, whom the container's root cannot write as.
 */
import { posix } from 'node:path';
import type { PlanIdMaps, PlanMakeCwd, PlanMount } from '../launch/index.ts';
import { toHostId } from '../userns/index.ts';

export interface MakeCwdInput {
  /** process.cwd, absolute (validated before). */
  readonly cwd: string;
  /** process.user, in the container. */
  readonly user: { readonly uid: number; readonly gid: number };
  readonly mounts: readonly PlanMount[];
  /** The rootfs is an overlay the init mounts: nothing of it exists before clone. */
  readonly isOnOverlay: boolean;
  /** A user namespace the container creates, with these maps, or undefined. */
  readonly idMaps: PlanIdMaps | undefined;
  /** It joins an existing user namespace, whose maps are unknown here. */
  readonly isUsernsJoined: boolean;
  /** The caller: one without privilege can give a file only to itself. */
  readonly caller: { readonly isPrivileged: boolean; readonly uid: number; readonly gid: number };
  /** The engine's choice (podman's); false: the runtime's (runc's). */
  readonly isForUser: boolean;
}

function isUnder(path: string, parent: string): boolean {
  return parent === '/' || path === parent || path.startsWith(`${parent}/`);
}

/** The user's ids on the host, when the caller may give them. */
function hostOwner(input: MakeCwdInput): { uid: number; gid: number } | undefined {
  if (input.isUsernsJoined) return undefined;
  const maps = input.idMaps;
  const uid = maps === undefined ? input.user.uid : toHostId(maps.uidMap, input.user.uid);
  const gid = maps === undefined ? input.user.gid : toHostId(maps.gidMap, input.user.gid);
  if (uid === undefined || gid === undefined) return undefined;
  if (!input.caller.isPrivileged && (uid !== input.caller.uid || gid !== input.caller.gid)) return undefined;
  return { uid, gid };
}

export function planMakeCwd(input: MakeCwdInput): PlanMakeCwd {
  // Lexically clean, as the shim splits it into parent and name.
  const path = posix.resolve('/', input.cwd);
  if (!input.isForUser) return { path, isPrecreated: false };
  // Made before clone it would be hidden by the mount over it.
  const isUnderMount = input.mounts.some((m) => isUnder(path, posix.resolve('/', m.destination)));
  if (input.isOnOverlay || isUnderMount) return { path, isPrecreated: false, owner: input.user };
  return { path, isPrecreated: true, owner: hostOwner(input) };
}
