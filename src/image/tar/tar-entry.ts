/** The entry types isola reads and writes; tar's type flags map onto these. */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** One data segment of a sparse file: `length` bytes at `offset` in the file. */
export interface SparseSegment {
  readonly offset: number;
  readonly length: number;
}

/** One archive member with pax, GNU long-name and sparse headers already applied. */
export interface TarEntry {
  /** As stored (pax path or GNU long name wins over the ustar fields); not normalised. */
  readonly path: string;
  readonly type: TarEntryType;
  /** Permission and special bits (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  /** Logical size of a file in bytes; for a sparse file its real size, holes included. */
  readonly size: number;
  /** Modification time in seconds since the epoch (pax may give a fraction). */
  readonly mtime: number;
  /** Target of a symlink or hard link, else ''. */
  readonly linkPath: string;
  readonly devMajor: number;
  readonly devMinor: number;
  /** Extended attributes (pax SCHILY.xattr.* and LIBARCHIVE.xattr.*), values as raw bytes. */
  readonly xattrs: ReadonlyMap<string, Buffer>;
  /** Data segments of a pax sparse 1.0 file, in order; undefined for an ordinary file. */
  readonly sparse: readonly SparseSegment[] | undefined;
}
