/**
 * Writes tar streams: ustar headers, with a pax header in front when a value
 * does not fit ustar (long paths or link targets, ids or sizes too large,
 * fractional mtimes, non-ASCII names) or the entry has xattrs.
 */
import { formatPaxRecord } from './pax.ts';
import { BLOCK, formatHeader, octalLimit } from './tar-header.ts';
import { TarError } from './tar-error.ts';
import type { TarEntryType } from './tar-entry.ts';

export interface TarWriteEntry {
  /** Relative path inside the archive; a directory gets a trailing '/'. */
  readonly path: string;
  readonly type: TarEntryType;
  /** @default 0o644 for files, 0o755 for directories, 0o777 for symlinks */
  readonly mode?: number | undefined;
  /** @default 0 */
  readonly uid?: number | undefined;
  /** @default 0 */
  readonly gid?: number | undefined;
  readonly uname?: string | undefined;
  readonly gname?: string | undefined;
  /** Bytes of data that follow; files only. @default 0 */
  readonly size?: number | undefined;
  /** Seconds since the epoch. @default 0 */
  readonly mtime?: number | undefined;
  /** Symlink or hard-link target. */
  readonly linkPath?: string | undefined;
  readonly devMajor?: number | undefined;
  readonly devMinor?: number | undefined;
  readonly xattrs?: ReadonlyMap<string, Buffer> | undefined;
}

export interface TarWriteItem {
  readonly entry: TarWriteEntry;
  /** Exactly `entry.size` bytes. */
  readonly body?: Buffer | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | undefined;
}

const TYPEFLAG: Readonly<Record<TarEntryType, string>> = {
  file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6',
};
const DEFAULT_MODE: Readonly<Record<TarEntryType, number>> = {
  file: 0o644, hardlink: 0o644, symlink: 0o777, char: 0o600, block: 0o600, directory: 0o755, fifo: 0o644,
};

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/** Splits a long ASCII path into ustar's prefix and name, or returns undefined. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1 && i <= 155; i = path.indexOf('/', i + 1)) {
    if (path.length - i - 1 <= 100 && i > 0) return { prefix: path.slice(0, i), name: path.slice(i + 1) };
  }
  return undefined;
}

/** The header block(s) of one entry: a pax header first when needed, then ustar. */
export function formatEntryHeader(entry: TarWriteEntry): Buffer {
  const path = entry.type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const size = entry.type === 'file' ? entry.size ?? 0 : 0;
  const uid = entry.uid ?? 0;
  const gid = entry.gid ?? 0;
  const mtime = entry.mtime ?? 0;
  const linkPath = entry.linkPath ?? '';
  const pax: Buffer[] = [];
  const addPax = (key: string, value: string | Buffer): void => {
    pax.push(formatPaxRecord(key, typeof value === 'string' ? Buffer.from(value, 'utf8') : value));
  };
  const split = splitUstarPath(path);
  if (split === undefined) addPax('path', path);
  if (linkPath.length > 100 || !isAscii(linkPath)) addPax('linkpath', linkPath);
  if (size > octalLimit(12)) addPax('size', String(size));
  if (uid > octalLimit(8)) addPax('uid', String(uid));
  if (gid > octalLimit(8)) addPax('gid', String(gid));
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > octalLimit(12)) addPax('mtime', String(mtime));
  for (const [name, value] of entry.xattrs ?? []) addPax(`SCHILY.xattr.${name}`, value);
  const fits = (n: number, length: number): number => (n >= 0 && n <= octalLimit(length) ? n : 0);
  const ustar = formatHeader({
    name: split?.name ?? path.slice(0, 100).replace(/[^\x20-\x7e]/g, '_'),
    prefix: split?.prefix ?? '',
    mode: entry.mode ?? DEFAULT_MODE[entry.type],
    uid: fits(uid, 8), gid: fits(gid, 8), size: fits(size, 12), mtime: fits(Math.floor(mtime), 12),
    typeflag: TYPEFLAG[entry.type],
    linkname: linkPath.length <= 100 && isAscii(linkPath) ? linkPath : '',
    uname: entry.uname ?? '', gname: entry.gname ?? '',
    devMajor: entry.devMajor ?? 0, devMinor: entry.devMinor ?? 0,
  });
  if (pax.length === 0) return ustar;
  const body = Buffer.concat(pax);
  const paxHeader = formatHeader({
    name: `PaxHeaders/${split?.name ?? 'entry'}`.slice(0, 100), prefix: '', mode: 0o644, uid: 0, gid: 0,
    size: body.length, mtime: 0, typeflag: 'x', linkname: '', uname: '', gname: '', devMajor: 0, devMinor: 0,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc(padding(body.length)), ustar]);
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** Streams a tar archive of `items`, ending with the two zero blocks. Throws TarError when a body's length differs from its size. */
export async function* writeTar(items: AsyncIterable<TarWriteItem> | Iterable<TarWriteItem>): AsyncGenerator<Buffer> {
  for await (const { entry, body } of items) {
    yield formatEntryHeader(entry);
    const size = entry.type === 'file' ? entry.size ?? 0 : 0;
    let written = 0;
    if (body !== undefined) {
      for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
        written += chunk.byteLength;
        if (written > size) break;
        yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    }
    if (written !== size) {
      throw new TarError('ISOLA_TAR_INVALID', `${entry.path}: body has ${written > size ? 'more than' : 'only'} ${written > size ? size : written} bytes, the header says ${size}`,
        { hint: 'the file changed while it was being archived' });
    }
    if (padding(size) > 0) yield Buffer.alloc(padding(size));
  }
  yield Buffer.alloc(2 * BLOCK);
}
