/**
 * The per-directory half of the shifted copy, run by each worker thread of
 * shifted-copy.ts (and usable alone): copies the non-directory entries of one
 * directory with shifted owners. Files with more than one link are returned,
 * not copied: the caller links them once every directory exists.
 */
import {
  chmodSync, closeSync, constants, copyFileSync, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  openSync, readSync, readlinkSync, symlinkSync, writeSync, type Stats,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { shiftId, type IdShift } from './id-shift.ts';

export interface DirJob {
  readonly from: string;
  readonly to: string;
  /** Non-directory entry names. */
  readonly names: readonly string[];
}

export interface LinkedFile {
  readonly from: string;
  readonly to: string;
  /** `dev:ino` of the source. */
  readonly key: string;
}

function isWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

/** A node Node cannot make: devices and fifos, through mknod(1). */
function makeSpecial(target: string, stat: Stats): void {
  const type = stat.isFIFO() ? ['p'] : [stat.isCharacterDevice() ? 'c' : 'b', String(Math.floor(stat.rdev / 256) & 0xfff), String(stat.rdev & 0xff)];
  const result = spawnSync('mknod', [target, ...type], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mknod ${target}: ${(result.stderr ?? '').trim() || result.error?.message} (device nodes in a layer can be copied only by root)`);
}

/**
 * Files up to this size are read whole and written to a new file; larger
 * ones go through copyFileSync, which may reflink (O(1) on btrfs and XFS).
 */
const SMALL_FILE_BYTES = 64 * 1024;
/** One per thread: each worker has its own module instance. */
const smallFileBuffer = Buffer.allocUnsafe(SMALL_FILE_BYTES);

/** Bits open(2) leaves out of a new file's mode. Read once per thread (reading is safe in workers). */
const UMASK = process.umask();

/**
 * A small file in the fewest syscalls: open, read, close (none for an
 * empty file); open (O_EXCL, with its mode), write, fchown, futimens,
 * close, and fchmod only when the umask or chown would leave the mode
 * wrong. copyFileSync costs twice as many and truncates the new file, which
 * makes ext4 (auto_da_alloc) start writeback of every file as it is closed:
 * measured here, most of the copy's system time.
 */
function copySmallFile(from: string, to: string, stat: Stats, shift: IdShift): void {
  let length = 0;
  if (stat.size > 0) {
    const source = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      for (let n = -1; n !== 0 && length < SMALL_FILE_BYTES; length += n) n = readSync(source, smallFileBuffer, length, SMALL_FILE_BYTES - length, null);
    } finally {
      closeSync(source);
    }
  }
  const mode = stat.mode & 0o7777;
  const target = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode & 0o777);
  try {
    for (let done = 0; done < length;) done += writeSync(target, smallFileBuffer, done, length - done);
    fchownSync(target, shiftId(shift.uids, stat.uid, shift.overflow.uid), shiftId(shift.gids, stat.gid, shift.overflow.gid));
    // After the chown, which clears setuid and setgid.
    if ((mode & 0o7000) !== 0 || (mode & UMASK) !== 0) fchmodSync(target, mode);
    futimesSync(target, stat.atime, stat.mtime);
  } finally {
    closeSync(target);
  }
}

/** Copies one entry (not a directory) and gives it its shifted owner, mode and times. */
export function copyEntry(from: string, to: string, stat: Stats, shift: IdShift): void {
  if (isWhiteout(stat)) {
    // Its owner means nothing to overlayfs; a link needs no CAP_MKNOD (rootless).
    linkSync(from, to);
    return;
  }
  if (stat.isFile() && stat.size <= SMALL_FILE_BYTES) {
    copySmallFile(from, to, stat, shift);
    return;
  }
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (stat.isFile()) copyFileSync(from, to, constants.COPYFILE_FICLONE);
  else if (stat.isSocket()) return;
  else makeSpecial(to, stat);
  lchownSync(to, shiftId(shift.uids, stat.uid, shift.overflow.uid), shiftId(shift.gids, stat.gid, shift.overflow.gid));
  // chown cleared setuid and setgid; symlinks have no mode of their own.
  if (!stat.isSymbolicLink() && (stat.mode & 0o6000) !== 0) chmodSync(to, stat.mode & 0o7777);
  lutimesSync(to, stat.atime, stat.mtime);
}

/** @returns the entries copied and the multiply-linked files left for the caller. */
export function copyDirectoryFiles(job: DirJob, shift: IdShift): { entries: number; linked: LinkedFile[] } {
  const linked: LinkedFile[] = [];
  for (const name of job.names) {
    const from = join(job.from, name);
    const to = join(job.to, name);
    let stat: Stats;
    try {
      stat = lstatSync(from);
      if (stat.nlink > 1 && !stat.isDirectory() && !isWhiteout(stat)) {
        linked.push({ from, to, key: `${stat.dev}:${stat.ino}` });
        continue;
      }
      copyEntry(from, to, stat, shift);
    } catch (error) {
      throw Object.assign(new Error(`cannot copy ${from}: ${(error as Error).message}`), { path: from });
    }
  }
  return { entries: job.names.length, linked };
}
