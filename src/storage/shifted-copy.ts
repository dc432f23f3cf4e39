/**
 * The chown-copy fallback's copy: a layer directory copied with every
 * owner shifted (id-shift.ts), keeping modes (setuid bits too, which chown
 * clears and we set again), times, symlinks, hard links, overlay whiteouts
 * and xattrs (opaque directories, file capabilities).
 *
 * Synchronous fs calls on purpose: the copy is one long loop of small
 * syscalls, and the promise API's per-call thread-pool round trip costs more
 * than the syscalls themselves (bench/rootfs-start.ts measures the copy).
 * Node has no xattr or mknod calls, so xattrs go through getfattr/setfattr
 * (one process each per layer, Debian package `attr`) and the rare device
 * node or fifo through mknod(1).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync, constants, copyFileSync, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync,
  readlinkSync, symlinkSync, type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { shiftId, type IdShift } from './id-shift.ts';
import { StorageError } from './errors.ts';

export interface CopyStats {
  readonly entries: number;
}

interface PendingDir {
  readonly path: string;
  readonly stat: Stats;
}

function isWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

/** A node Node cannot make: devices and fifos, through mknod(1). */
function makeSpecial(target: string, stat: Stats): void {
  const type = stat.isFIFO() ? ['p'] : [stat.isCharacterDevice() ? 'c' : 'b', String(Math.floor(stat.rdev / 256) & 0xfff), String(stat.rdev & 0xff)];
  const result = spawnSync('mknod', [target, ...type], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot make ${target}: ${(result.stderr ?? '').trim() || result.error?.message}`,
      { path: target, hint: 'device nodes in a layer can be copied only by root' });
  }
}

/**
 * getfattr's dump of every xattr under `source`, rewritten for `target`, and
 * replayed with setfattr: after the chown, which drops security.capability.
 */
function copyXattrs(source: string, target: string): void {
  const dump = spawnSync('getfattr', ['-R', '-P', '-d', '-m', '-', '-e', 'base64', '--absolute-names', source],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (dump.error !== undefined || (dump.status !== 0 && dump.stdout === '')) {
    if ((dump.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || dump.status === 127) {
      throw new StorageError('ISOLA_STORAGE_COPY_FAILED', 'getfattr is needed to copy layers with their xattrs and is not installed',
        { hint: 'install the attr package (apt-get install attr)' });
    }
    if (dump.status !== 0) throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot read the xattrs of ${source}: ${dump.stderr.trim()}`, { path: source });
  }
  if (dump.stdout.trim() === '') return;
  // getfattr escapes special characters in names, so a line starting "# file: " is always a header.
  const prefix = `# file: ${source.replace(/[\\\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}`;
  const rewritten = dump.stdout.split('\n').map((line) => line.startsWith(prefix) ? `# file: ${target}${line.slice(prefix.length)}` : line).join('\n');
  const restore = spawnSync('setfattr', ['-h', '--restore=-'], { input: rewritten, encoding: 'utf8' });
  if (restore.status !== 0) {
    throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot set the xattrs under ${target}: ${restore.stderr.trim()}`, { path: target });
  }
}

/**
 * Copies `source` into `target` (which must not exist) with shifted owners.
 * @throws StorageError ISOLA_STORAGE_COPY_FAILED naming the file; the
 *   caller removes the partial copy.
 */
export function copyShifted(source: string, target: string, shift: IdShift): CopyStats {
  const uid = (id: number) => shiftId(shift.uids, id, shift.overflow.uid);
  const gid = (id: number) => shiftId(shift.gids, id, shift.overflow.gid);
  const links = new Map<string, string>();
  const dirs: PendingDir[] = [];
  let entries = 0;
  let current = '';
  try {
    const rootStat = lstatSync(source);
    mkdirSync(target, { mode: 0o700 });
    dirs.push({ path: target, stat: rootStat });
    const stack: [string, string][] = [[source, target]];
    while (stack.length > 0) {
      const [fromDir, toDir] = stack.pop()!;
      for (const name of readdirSync(fromDir)) {
        const from = join(fromDir, name);
        const to = join(toDir, name);
        current = from;
        const stat = lstatSync(from);
        entries++;
        if (stat.isDirectory()) {
          mkdirSync(to, { mode: 0o700 });
          dirs.push({ path: to, stat });
          stack.push([from, to]);
          continue;
        }
        if (isWhiteout(stat)) {
          // Its owner means nothing to overlayfs; a link needs no CAP_MKNOD (rootless).
          linkSync(from, to);
          continue;
        }
        const key = stat.nlink > 1 ? `${stat.dev}:${stat.ino}` : undefined;
        const first = key === undefined ? undefined : links.get(key);
        if (first !== undefined) {
          linkSync(first, to);
          continue;
        }
        if (key !== undefined) links.set(key, to);
        if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
        else if (stat.isFile()) copyFileSync(from, to, constants.COPYFILE_FICLONE);
        else if (stat.isSocket()) continue;
        else makeSpecial(to, stat);
        lchownSync(to, uid(stat.uid), gid(stat.gid));
        // chown cleared setuid and setgid; symlinks have no mode of their own.
        if (!stat.isSymbolicLink() && (stat.mode & 0o6000) !== 0) chmodSync(to, stat.mode & 0o7777);
        lutimesSync(to, stat.atime, stat.mtime);
      }
    }
    // Parents last, so creating their entries does not change their times.
    for (let i = dirs.length - 1; i >= 0; i--) {
      const { path, stat } = dirs[i]!;
      current = path;
      lchownSync(path, uid(stat.uid), gid(stat.gid));
      chmodSync(path, stat.mode & 0o7777);
      lutimesSync(path, stat.atime, stat.mtime);
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot copy ${current || source}: ${(error as Error).message}`,
      { path: current || source, cause: error, hint: 'check that the layer is readable and the target filesystem has room' });
  }
  copyXattrs(source, target);
  return { entries };
}

/**
 * Every file under `path` (and `path` itself) to uid:gid, as podman's `:U`
 * volume option: lchown, so symlinks are changed and never followed, and
 * setuid/setgid bits, which chown clears, set again.
 * @throws StorageError ISOLA_STORAGE_COPY_FAILED naming the file.
 */
export function chownTree(path: string, uid: number, gid: number): void {
  const stack = [path];
  let current = path;
  try {
    while (stack.length > 0) {
      current = stack.pop()!;
      const stat = lstatSync(current);
      lchownSync(current, uid, gid);
      if (!stat.isSymbolicLink() && (stat.mode & 0o6000) !== 0) chmodSync(current, stat.mode & 0o7777);
      if (stat.isDirectory()) for (const name of readdirSync(current)) stack.push(join(current, name));
    }
  } catch (error) {
    throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot chown ${current}: ${(error as Error).message}`,
      { path: current, cause: error, hint: 'check that you own the volume\'s files' });
  }
}
