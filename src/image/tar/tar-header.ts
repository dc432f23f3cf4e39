/**
 * The 512-byte tar header: ustar (POSIX) and GNU variants in, ustar out.
 * Numbers are octal text or, for GNU's large values, base-256.
 */
import { TarError } from './tar-error.ts';

export const BLOCK = 512;

/** Header fields as stored, before pax or GNU extension headers are applied. */
export interface RawHeader {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname: string;
  readonly uname: string;
  readonly gname: string;
  readonly devMajor: number;
  readonly devMinor: number;
}

function readString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function readNumber(block: Buffer, start: number, length: number, field: string, offset: number): number {
  const first = block[start]!;
  if ((first & 0x80) !== 0) {
    if (first === 0xff) throw new TarError('ISOLA_TAR_INVALID', `negative base-256 ${field} in the tar header at byte ${offset}`, { offset });
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[start + i]!;
    if (!Number.isSafeInteger(value)) throw new TarError('ISOLA_TAR_INVALID', `${field} too large in the tar header at byte ${offset}`, { offset });
    return value;
  }
  let value = 0;
  let i = start;
  const end = start + length;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw new TarError('ISOLA_TAR_INVALID', `bad octal ${field} in the tar header at byte ${offset}`, { offset });
    value = value * 8 + (c - 0x30);
  }
  return value;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOf(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/** Parses one header block; `offset` is its position in the stream, for messages. */
export function parseHeader(block: Buffer, offset: number): RawHeader {
  const stored = readNumber(block, 148, 8, 'checksum', offset);
  const sums = checksumOf(block);
  if (stored !== sums.unsigned && stored !== sums.signed) {
    throw new TarError('ISOLA_TAR_INVALID', `bad checksum in the tar header at byte ${offset}`,
      { offset, hint: 'the archive is corrupt or not a tar file' });
  }
  let name = readString(block, 0, 100);
  // Only POSIX ustar has the prefix field; GNU keeps atime/ctime there.
  if (block.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const typeByte = block[156]!;
  return {
    name,
    mode: readNumber(block, 100, 8, 'mode', offset) & 0o7777,
    uid: readNumber(block, 108, 8, 'uid', offset),
    gid: readNumber(block, 116, 8, 'gid', offset),
    size: readNumber(block, 124, 12, 'size', offset),
    mtime: readNumber(block, 136, 12, 'mtime', offset),
    typeflag: typeByte === 0 ? '0' : String.fromCharCode(typeByte),
    linkname: readString(block, 157, 100),
    uname: readString(block, 265, 32),
    gname: readString(block, 297, 32),
    devMajor: readNumber(block, 329, 8, 'devmajor', offset),
    devMinor: readNumber(block, 337, 8, 'devminor', offset),
  };
}

function writeOctal(block: Buffer, start: number, length: number, value: number): void {
  block.write(`${Math.floor(value).toString(8).padStart(length - 1, '0')}\0`, start, length, 'latin1');
}

/** The largest value an octal field of `length` bytes holds (length - 1 digits). */
export function octalLimit(length: number): number {
  return 8 ** (length - 1) - 1;
}

/** Formats a ustar header; the caller has moved values that do not fit into a pax header. */
export function formatHeader(header: RawHeader & { readonly prefix: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(header.name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, header.mode);
  writeOctal(block, 108, 8, header.uid);
  writeOctal(block, 116, 8, header.gid);
  writeOctal(block, 124, 12, header.size);
  writeOctal(block, 136, 12, header.mtime);
  block.write(header.typeflag, 156, 1, 'latin1');
  block.write(header.linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 8, 'latin1');
  block.write(header.uname, 265, 32, 'utf8');
  block.write(header.gname, 297, 32, 'utf8');
  writeOctal(block, 329, 8, header.devMajor);
  writeOctal(block, 337, 8, header.devMinor);
  block.write(header.prefix, 345, 155, 'utf8');
  const { unsigned } = checksumOf(block);
  block.write(`${unsigned.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}
