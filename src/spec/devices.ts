/**
 * The device nodes every container gets (runtime-spec "Default Devices").
 * In a user namespace mknod is refused, so the runtime bind-mounts the
 * host's nodes; it must never chown or chmod them (that changes the host's
 * node), so uid, gid and mode here describe the host node, not a request.
 */
import type { OciDevice } from '../runtime/index.ts';

const CHAR_MODE = 0o666;

export const DEFAULT_DEVICES: readonly OciDevice[] = [
  { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: CHAR_MODE, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/zero', major: 1, minor: 5, fileMode: CHAR_MODE, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/full', major: 1, minor: 7, fileMode: CHAR_MODE, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/random', major: 1, minor: 8, fileMode: CHAR_MODE, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/urandom', major: 1, minor: 9, fileMode: CHAR_MODE, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/tty', major: 5, minor: 0, fileMode: CHAR_MODE, uid: 0, gid: 0 },
];
