import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UsernsError } from './errors.ts';

/** S_ISUID from <sys/stat.h>; node:fs does not export it. */
const SET_UID_BIT = 0o4000;

export interface IdMapHelpers {
  /** Absolute path of newuidmap. */
  readonly newuidmap: string;
  /** Absolute path of newgidmap. */
  readonly newgidmap: string;
  /**
   * Whether each tool is owned by root with the setuid bit. When false it works only if
   * it carries file capabilities (cap_setuid / cap_setgid, as Fedora installs it), which
   * Node cannot read; a failed write then tells which case it was.
   */
  readonly isSetuidRoot: { readonly newuidmap: boolean; readonly newgidmap: boolean };
}

/**
 * Find newuidmap and newgidmap (shadow-utils) on `searchPath`, a PATH-style list the
 * caller passes in. Empty and relative entries are skipped: a relative entry would pick
 * a tool depending on the working directory, and these tools write id maps.
 * @throws UsernsError ISOLA_USERNS_NEWUIDMAP_MISSING when either is not an executable file.
 */
export async function findIdMapHelpers(searchPath: string): Promise<IdMapHelpers> {
  const dirs = searchPath.split(':').filter((dir) => dir !== '' && isAbsolute(dir));
  const uid = await findExecutable('newuidmap', dirs, searchPath);
  const gid = await findExecutable('newgidmap', dirs, searchPath);
  return {
    newuidmap: uid.path,
    newgidmap: gid.path,
    isSetuidRoot: { newuidmap: uid.isSetuidRoot, newgidmap: gid.isSetuidRoot },
  };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findExecutable(
  name: string,
  dirs: readonly string[],
  searchPath: string,
): Promise<{ path: string; isSetuidRoot: boolean }> {
  for (const dir of dirs) {
    const path = join(dir, name);
    // Synchronous: a rootless `isola run` looks for both at start-up, and
    // stat and access take microseconds where promise calls cost a
    // thread-pool round trip each.
    const info = statOrUndefined(path);
    if (info === undefined || !info.isFile()) continue;
    if (!isExecutableFile(path)) continue;
    return { path, isSetuidRoot: info.uid === 0 && (info.mode & SET_UID_BIT) !== 0 };
  }
  throw new UsernsError('ISOLA_USERNS_NEWUIDMAP_MISSING', `${name} is not an executable file on PATH ${JSON.stringify(searchPath)}`, {
    hint: 'install the uidmap package (apt-get install uidmap)',
  });
}
