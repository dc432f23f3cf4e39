import { readFileSync } from 'node:fs';
import { UsernsError } from './errors.ts';
import { INVALID_ID } from './id-map.ts';

/** A block of subordinate ids: `size` ids from `start`, as /etc/subuid and /etc/subgid grant them. */
/** One user's subordinate ids, with the files they came from (named in messages). */
export interface SubordinateIds {
  readonly user: string;
  readonly subuids: readonly SubidRange[];
  readonly subgids: readonly SubidRange[];
  readonly uidFile: string;
  readonly gidFile: string;
}

export interface SubidRange {
  readonly start: number;
  readonly size: number;
}

export interface SubidLine {
  /** User name or numeric uid, as written in the file. */
  readonly owner: string;
  readonly range: SubidRange;
  /** 1-based line number in the file. */
  readonly line: number;
}

const decimal = /^[0-9]+$/;

/**
 * Parse /etc/subuid or /etc/subgid (`owner:start:count` per line; `#` comments and
 * blank lines allowed). `path` only names the file in errors.
 * @throws UsernsError ISOLA_USERNS_SUBID_MALFORMED with `file` and `line` set.
 */
export function parseSubidFile(text: string, path: string): SubidLine[] {
  const result: SubidLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const range = parseSubidLine(line);
    if (range === undefined) {
      throw new UsernsError('ISOLA_USERNS_SUBID_MALFORMED', `${path} line ${index + 1} is not "owner:start:count": ${JSON.stringify(raw)}`, {
        file: path,
        line: index + 1,
        hint: `fix or remove line ${index + 1} of ${path} (usermod --add-subuids / --add-subgids writes valid lines)`,
      });
    }
    result.push({ ...range, line: index + 1 });
  }
  return result;
}

function parseSubidLine(line: string): { owner: string; range: SubidRange } | undefined {
  const fields = line.split(':');
  if (fields.length !== 3) return undefined;
  const [owner = '', startText = '', sizeText = ''] = fields;
  if (owner === '' || !decimal.test(startText) || !decimal.test(sizeText)) return undefined;
  const [start, size] = [Number(startText), Number(sizeText)];
  // Both are u32 in shadow-utils; a count of 0 grants nothing and only hides a typo.
  if (start > INVALID_ID || size > INVALID_ID || size < 1) return undefined;
  return { owner, range: { start, size } };
}

/** The files shadow-utils keeps subordinate ids in. */
export const SUBUID_FILE = '/etc/subuid';
export const SUBGID_FILE = '/etc/subgid';

/**
 * Every line of a subordinate id file.
 * @returns [] when the file does not exist.
 * @throws UsernsError ISOLA_USERNS_SUBID_MALFORMED, or ISOLA_USERNS_SUBID_UNREADABLE when it cannot be read.
 */
export async function readSubidFile(path: string): Promise<SubidLine[]> {
  let text: string;
  try {
    // Synchronous: a rootless `isola run` reads both files at start-up, and a
    // small local file reads in microseconds where a promise read costs a
    // thread-pool round trip.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsernsError('ISOLA_USERNS_SUBID_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
      hint: `make ${path} readable by this user (it is normally mode 0644)`,
    });
  }
  return parseSubidFile(text, path);
}

/** The ranges of `lines` granted to `user`, matched by name or by numeric uid as shadow-utils' newuidmap does. */
export function subidRangesOf(lines: readonly SubidLine[], user: { readonly name: string; readonly id: number }): SubidRange[] {
  return lines
    .filter(({ owner }) => owner === user.name || (decimal.test(owner) && Number(owner) === user.id))
    .map(({ range }) => range);
}

/**
 * The ranges granted to `user` in a subordinate id file, in file order.
 * @returns [] when the file does not exist.
 * @throws UsernsError ISOLA_USERNS_SUBID_MALFORMED, or ISOLA_USERNS_SUBID_UNREADABLE when it cannot be read.
 */
export async function readSubidRanges(path: string, user: { readonly name: string; readonly id: number }): Promise<SubidRange[]> {
  return subidRangesOf(await readSubidFile(path), user);
}
