/**
 * A push parser for tar streams: feed it chunks, it calls back with each
 * entry, its data (as slices of the chunks, no copies) and its end. Callbacks
 * run synchronously inside push(), so a consumer doing synchronous I/O gets
 * back-pressure for free. Reads ustar, GNU long names and links, pax local
 * and global headers (path, linkpath, size, uid, gid, uname, gname, mtime,
 * SCHILY.xattr.*, LIBARCHIVE.xattr.*) and pax sparse 1.0 (GNU.sparse.*).
 */
import { parsePaxRecords } from './pax.ts';
import { BLOCK, isZeroBlock, parseHeader, type RawHeader } from './tar-header.ts';
import { TarError } from './tar-error.ts';
import type { SparseSegment, TarEntry, TarEntryType } from './tar-entry.ts';

export interface TarParserEvents {
  onEntry(entry: TarEntry): void;
  /** `fileOffset` is where the bytes belong in the file (differs from the stream order only for sparse files). */
  onData(chunk: Buffer, fileOffset: number): void;
  onEntryEnd(entry: TarEntry): void;
}

/** Extension headers (pax, GNU long names) above this size are refused: they are held in memory. */
const MAX_META_BYTES = 16 * 1024 * 1024;
const MAX_SPARSE_SEGMENTS = 1 << 20;

const TYPES: Readonly<Record<string, TarEntryType>> = {
  '0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo',
};

type MetaKind = 'pax' | 'pax-global' | 'long-name' | 'long-link' | 'sparse-map';
type State = 'header' | 'meta' | 'data' | 'skip' | 'done';

const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

export class TarParser {
  readonly #events: TarParserEvents;
  #state: State = 'header';
  /** Stream bytes consumed so far. */
  #position = 0;
  #need = BLOCK;
  #held: Buffer | undefined;
  #heldBytes = 0;
  #metaKind: MetaKind = 'pax';
  #metaSize = 0;
  #remaining = 0;
  #skipAfter = 0;
  #globals = new Map<string, Buffer>();
  #pax = new Map<string, Buffer>();
  #longName: string | undefined;
  #longLink: string | undefined;
  #entry: TarEntry | undefined;
  #headerOffset = 0;
  #pendingSparse: { raw: RawHeader; storedSize: number } | undefined;
  #segment = 0;
  #segmentDone = 0;
  #fileOffset = 0;

  constructor(events: TarParserEvents) {
    this.#events = events;
  }

  /** Whether the end-of-archive marker has been read. */
  get isDone(): boolean {
    return this.#state === 'done';
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const available = chunk.length - pos;
      if (this.#state === 'done') return;
      if (this.#state === 'data' || this.#state === 'skip') {
        const n = Math.min(this.#remaining, available);
        if (this.#state === 'data' && n > 0) this.#emitData(chunk.subarray(pos, pos + n));
        pos += n;
        this.#position += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#finishBody();
        continue;
      }
      let block: Buffer;
      if (this.#heldBytes === 0 && available >= this.#need) {
        block = chunk.subarray(pos, pos + this.#need);
        pos += this.#need;
      } else {
        this.#held ??= Buffer.alloc(this.#need);
        const n = Math.min(this.#need - this.#heldBytes, available);
        chunk.copy(this.#held, this.#heldBytes, pos, pos + n);
        this.#heldBytes += n;
        pos += n;
        if (this.#heldBytes < this.#need) continue;
        block = this.#held;
        this.#held = undefined;
        this.#heldBytes = 0;
      }
      this.#position += block.length;
      if (this.#state === 'header') this.#readHeader(block);
      else this.#readMeta(block);
    }
  }

  /** Checks the stream did not stop inside an entry. */
  end(): void {
    if (this.#state === 'done' || (this.#state === 'header' && this.#heldBytes === 0 && this.#pax.size === 0 &&
      this.#longName === undefined && this.#longLink === undefined)) return;
    throw new TarError('ISOLA_TAR_INVALID', `the tar stream ends inside an entry (after ${this.#position} bytes)`,
      { offset: this.#position, hint: 'the archive is truncated' });
  }

  #expect(state: State, need: number): void {
    this.#state = state;
    this.#need = need;
  }

  #readHeader(block: Buffer): void {
    this.#headerOffset = this.#position - BLOCK;
    // GNU tar also stops at the first zero block; what follows is padding.
    if (isZeroBlock(block)) { this.#state = 'done'; return; }
    const raw = parseHeader(block, this.#headerOffset);
    const meta: Readonly<Record<string, MetaKind>> = { x: 'pax', g: 'pax-global', L: 'long-name', K: 'long-link' };
    const kind = meta[raw.typeflag];
    if (kind !== undefined) {
      if (raw.size > MAX_META_BYTES) {
        throw new TarError('ISOLA_TAR_TOO_LARGE', `extension header of ${raw.size} bytes at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
      }
      this.#metaKind = kind;
      this.#metaSize = raw.size;
      if (raw.size === 0) return;
      this.#expect('meta', padded(raw.size));
      return;
    }
    if (raw.typeflag === 'V') { this.#skip(padded(this.#sizeOf(raw))); return; }
    const type = TYPES[raw.typeflag];
    if (type === undefined) {
      throw new TarError('ISOLA_TAR_UNSUPPORTED', `tar entry type '${raw.typeflag}' at byte ${this.#headerOffset} is not supported`,
        { offset: this.#headerOffset, hint: raw.typeflag === 'S' ? 'old GNU sparse entries are not read; use pax sparse 1.0' : undefined });
    }
    const major = this.#paxText('GNU.sparse.major');
    if (major !== undefined || this.#paxText('GNU.sparse.size') !== undefined) {
      if (major !== '1' || this.#paxText('GNU.sparse.minor') !== '0' || type !== 'file') {
        throw new TarError('ISOLA_TAR_UNSUPPORTED', `pax sparse format ${major ?? '0'}.x at byte ${this.#headerOffset} is not supported`,
          { offset: this.#headerOffset, hint: 'only pax sparse 1.0 (GNU tar --sparse --format=posix) is read' });
      }
      this.#pendingSparse = { raw, storedSize: this.#sizeOf(raw) };
      this.#metaKind = 'sparse-map';
      this.#metaSize = 0;
      this.#expect('meta', BLOCK);
      return;
    }
    this.#startEntry(raw, type, undefined, this.#sizeOf(raw));
  }

  #readMeta(block: Buffer): void {
    if (this.#metaKind === 'sparse-map') { this.#readSparseMap(block); return; }
    const body = block.subarray(0, this.#metaSize);
    if (this.#metaKind === 'pax' || this.#metaKind === 'pax-global') {
      const records = parsePaxRecords(body, this.#headerOffset);
      const into = this.#metaKind === 'pax' ? this.#pax : this.#globals;
      for (const [key, value] of records) into.set(key, Buffer.from(value));
    } else {
      const end = body.indexOf(0);
      const text = body.toString('utf8', 0, end === -1 ? body.length : end);
      if (this.#metaKind === 'long-name') this.#longName = text;
      else this.#longLink = text;
    }
    this.#expect('header', BLOCK);
  }

  /** Sparse 1.0 keeps its map in the data: decimal lines (count, then offset/length pairs), padded to a block. */
  #readSparseMap(block: Buffer): void {
    const pending = this.#pendingSparse!;
    const text = block.toString('latin1');
    const lines = text.split('\n');
    lines.pop(); // incomplete tail: needs another block
    const count = lines.length > 0 ? Number(lines[0]) : NaN;
    if (lines.length > 0 && (!Number.isSafeInteger(count) || count < 0 || count > MAX_SPARSE_SEGMENTS)) {
      throw new TarError('ISOLA_TAR_INVALID', `bad sparse map at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
    }
    if (lines.length < 1 + 2 * count || lines.length === 0) {
      if (block.length >= pending.storedSize || block.length >= MAX_META_BYTES) {
        throw new TarError('ISOLA_TAR_INVALID', `sparse map overruns its entry at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
      }
      this.#held = Buffer.alloc(block.length + BLOCK);
      block.copy(this.#held);
      this.#position -= block.length; // counted again when the longer block completes
      this.#heldBytes = block.length;
      this.#need = block.length + BLOCK;
      return;
    }
    const segments: SparseSegment[] = [];
    for (let i = 0; i < count; i++) {
      const offset = Number(lines[1 + 2 * i]);
      const length = Number(lines[2 + 2 * i]);
      segments.push({ offset, length });
    }
    const mapBytes = block.length;
    this.#pendingSparse = undefined;
    this.#startEntry(pending.raw, 'file', segments, pending.storedSize - mapBytes);
  }

  #sizeOf(raw: RawHeader): number {
    const text = this.#paxText('size');
    if (text === undefined) return raw.size;
    const size = Number(text);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new TarError('ISOLA_TAR_INVALID', `bad pax size ${JSON.stringify(text)} at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
    }
    return size;
  }

  #paxText(key: string): string | undefined {
    return (this.#pax.get(key) ?? this.#globals.get(key))?.toString('utf8');
  }

  #paxNumber(key: string, fallback: number, isFraction = false): number {
    const text = this.#paxText(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || (!isFraction && (!Number.isSafeInteger(value) || value < 0))) {
      throw new TarError('ISOLA_TAR_INVALID', `bad pax ${key} ${JSON.stringify(text)} at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
    }
    return value;
  }

  #xattrs(): Map<string, Buffer> {
    const xattrs = new Map<string, Buffer>();
    for (const [key, value] of this.#pax) {
      if (key.startsWith('SCHILY.xattr.')) xattrs.set(key.slice(13), value);
      else if (key.startsWith('LIBARCHIVE.xattr.')) {
        let name: string;
        try {
          name = decodeURIComponent(key.slice(17));
        } catch {
          throw new TarError('ISOLA_TAR_INVALID', `bad xattr name ${JSON.stringify(key)} at byte ${this.#headerOffset}`, { offset: this.#headerOffset });
        }
        xattrs.set(name, Buffer.from(value.toString('latin1'), 'base64'));
      }
    }
    return xattrs;
  }

  #startEntry(raw: RawHeader, rawType: TarEntryType, sparse: readonly SparseSegment[] | undefined, storedSize: number): void {
    const local = this.#pax;
    let path = local.get('path')?.toString('utf8') ?? this.#longName ?? raw.name;
    if (sparse !== undefined) path = this.#paxText('GNU.sparse.name') ?? path;
    // Pre-POSIX tars mark directories only by a trailing slash.
    const type = rawType === 'file' && raw.typeflag !== '7' && path.endsWith('/') ? 'directory' : rawType;
    const hasData = type === 'file';
    const size = sparse !== undefined ? this.#paxNumber('GNU.sparse.realsize', NaN) : hasData ? storedSize : 0;
    if (sparse !== undefined) checkSparseMap(sparse, size, storedSize, this.#headerOffset);
    const entry: TarEntry = {
      path,
      type,
      mode: raw.mode,
      uid: this.#paxNumber('uid', raw.uid),
      gid: this.#paxNumber('gid', raw.gid),
      uname: this.#paxText('uname') ?? raw.uname,
      gname: this.#paxText('gname') ?? raw.gname,
      size,
      mtime: this.#paxNumber('mtime', raw.mtime, true),
      linkPath: local.get('linkpath')?.toString('utf8') ?? this.#longLink ?? raw.linkname,
      devMajor: raw.devMajor,
      devMinor: raw.devMinor,
      xattrs: local.size === 0 ? EMPTY_XATTRS : this.#xattrs(),
      sparse,
    };
    this.#pax = new Map();
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#entry = entry;
    this.#segment = 0;
    this.#segmentDone = 0;
    this.#fileOffset = 0;
    this.#events.onEntry(entry);
    // Hard links, devices and the like may carry a size; their bytes are skipped.
    this.#remaining = storedSize;
    this.#skipAfter = padded(storedSize) - storedSize;
    this.#state = hasData ? 'data' : 'skip';
    if (storedSize === 0) this.#finishBody();
  }

  #emitData(chunk: Buffer): void {
    const sparse = this.#entry!.sparse;
    if (sparse === undefined) {
      this.#events.onData(chunk, this.#fileOffset);
      this.#fileOffset += chunk.length;
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      const segment = sparse[this.#segment]!;
      const n = Math.min(segment.length - this.#segmentDone, chunk.length - pos);
      if (n > 0) this.#events.onData(chunk.subarray(pos, pos + n), segment.offset + this.#segmentDone);
      pos += n;
      this.#segmentDone += n;
      if (this.#segmentDone === segment.length) { this.#segment++; this.#segmentDone = 0; }
    }
  }

  #finishBody(): void {
    if (this.#entry !== undefined) {
      const entry = this.#entry;
      this.#entry = undefined;
      this.#events.onEntryEnd(entry);
    }
    if (this.#skipAfter > 0) {
      this.#remaining = this.#skipAfter;
      this.#skipAfter = 0;
      this.#state = 'skip';
      return;
    }
    this.#expect('header', BLOCK);
  }

  #skip(bytes: number): void {
    this.#remaining = bytes;
    this.#skipAfter = 0;
    this.#state = 'skip';
    if (bytes === 0) this.#expect('header', BLOCK);
  }
}

const EMPTY_XATTRS: ReadonlyMap<string, Buffer> = new Map();

function checkSparseMap(segments: readonly SparseSegment[], realSize: number, dataSize: number, offset: number): void {
  let end = 0;
  let total = 0;
  const bad = (why: string): TarError => new TarError('ISOLA_TAR_INVALID', `bad sparse map at byte ${offset}: ${why}`, { offset });
  if (!Number.isSafeInteger(realSize) || realSize < 0) throw bad('GNU.sparse.realsize missing or invalid');
  for (const { offset: start, length } of segments) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < end || length < 0) throw bad('segments overlap or are not numbers');
    end = start + length;
    total += length;
  }
  if (end > realSize) throw bad('a segment lies past the real size');
  if (total !== dataSize) throw bad(`segments hold ${total} bytes but the entry stores ${dataSize}`);
}
