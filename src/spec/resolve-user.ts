/**
 * Turns `--user` into numeric ids the way docker (through runc's
 * GetExecUser) does, reading names from the image, never from the host:
 * - no user: uid 0, gid 0, plus root's groups from the image;
 * - `name` or `uid`: the passwd entry's uid, gid and home when there is one
 *   (a number without an entry is used as is), plus every group of
 *   /etc/group that lists the user's name as a member;
 * - `user:group`: the group by name or number replaces the primary gid, and
 *   no supplementary groups are added, as in docker.
 */
import { InvalidOptionError } from '../errors/index.ts';
import { SpecError } from './errors.ts';
import { parseGroup, parsePasswd, type GroupEntry, type PasswdEntry } from './passwd.ts';
import { readFileInRoot } from './safe-rootfs-path.ts';

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups, in /etc/group order. */
  readonly additionalGids: readonly number[];
  /** From the passwd entry; undefined when there is none. */
  readonly home?: string | undefined;
}

/** runc's range: a uid above 2^31-1 is refused by parts of the kernel and libc. */
const MAX_ID = 2 ** 31 - 1;

function parseNumericId(text: string, spec: string): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const id = Number(text);
  if (id < 0 || id > MAX_ID) throw new InvalidOptionError('--user', `ids from 0 to ${MAX_ID}`, spec);
  return id;
}

function notFound(kind: 'user' | 'group', name: string, file: string, rootfs: string, isMissing: boolean): SpecError {
  const code = kind === 'user' ? 'ISOLA_SPEC_USER_NOT_FOUND' : 'ISOLA_SPEC_GROUP_NOT_FOUND';
  const where = isMissing ? `the image has no ${file}` : `not in the image's ${file}`;
  return new SpecError(code, `${kind} "${name}" not found: ${where} (rootfs ${rootfs})`, {
    path: file,
    hint: `use a numeric id instead (e.g. --user 1000:1000), or add the ${kind} to ${file} in the image`,
  });
}

async function readEntries<T>(rootfs: string, file: string, parse: (text: string) => T[]): Promise<T[] | undefined> {
  const text = await readFileInRoot(rootfs, file);
  return text === undefined ? undefined : parse(text);
}

/**
 * Resolves `user[:group]` against the image in `rootfs`.
 * @param userSpec `1000`, `1000:1000`, `app`, `app:staff`, `0:wheel`; undefined or '' means root.
 * @throws SpecError ISOLA_SPEC_USER_NOT_FOUND / ISOLA_SPEC_GROUP_NOT_FOUND for an unknown name;
 *   InvalidOptionError ISOLA_INVALID_OPTION for a malformed spec or an id out of range;
 *   the readFileInRoot errors for a hostile /etc/passwd or /etc/group.
 */
export async function resolveUser(rootfs: string, userSpec: string | undefined): Promise<ResolvedUser> {
  const spec = userSpec ?? '';
  const parts = spec.split(':');
  if (parts.length > 2 || (parts.length === 2 && (parts[0] === '' || parts[1] === ''))) {
    throw new InvalidOptionError('--user', 'user[:group], each a name or a number', spec);
  }
  const userArg = parts[0] ?? '';
  const groupArg = parts[1] ?? '';
  const uidArg = userArg === '' ? 0 : parseNumericId(userArg, spec);
  const gidArg = groupArg === '' ? undefined : parseNumericId(groupArg, spec);

  const users = await readEntries(rootfs, '/etc/passwd', parsePasswd);
  const entry: PasswdEntry | undefined = users?.find((user) =>
    uidArg === undefined ? user.name === userArg : user.uid === uidArg,
  );
  if (entry === undefined && uidArg === undefined) {
    throw notFound('user', userArg, '/etc/passwd', rootfs, users === undefined);
  }

  const uid = entry?.uid ?? uidArg ?? 0;
  let gid = entry?.gid ?? 0;
  let additionalGids: number[] = [];
  if (groupArg !== '' || entry !== undefined) {
    const groups: GroupEntry[] | undefined = await readEntries(rootfs, '/etc/group', parseGroup);
    if (groupArg !== '') {
      const group = groups?.find((g) => (gidArg === undefined ? g.name === groupArg : g.gid === gidArg));
      if (group === undefined && gidArg === undefined) {
        throw notFound('group', groupArg, '/etc/group', rootfs, groups === undefined);
      }
      gid = group?.gid ?? gidArg ?? gid;
    } else if (entry !== undefined) {
      additionalGids = (groups ?? []).filter((g) => g.members.includes(entry.name)).map((g) => g.gid);
    }
  }
  if (uid > MAX_ID || gid > MAX_ID) {
    throw new InvalidOptionError('--user', `ids from 0 to ${MAX_ID} in the image's files`, spec);
  }
  const home = entry !== undefined && entry.home !== '' ? entry.home : undefined;
  return { uid, gid, additionalGids, home };
}
