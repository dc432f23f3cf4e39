/**
 * The chown-copy fallback's copy: a layer directory copied with every
 * owner shifted (id-shift.ts), keeping modes (setuid bits too, which chown
 * clears and we set again), times, symlinks, hard links, overlay whiteouts
 * and xattrs (opaque directories, file capabilities).
 *
 * Synchronous fs calls on purpose, from worker threads: the copy is one long
 * loop of small syscalls, and the promise API's per-call round trip through
 * libuv's pool of 4 threads costs more and overlaps less than 8 workers each
 * running a plain loop (bench/rootfs-start.ts measures the copy).
 * Node has no xattr or mknod calls, so xattrs go through getfattr/setfattr
 * (one process each per layer, Debian package `attr`) and the rare device
 * node or fifo through mknod(1).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { copyDirectoryFiles, copyEntry, type DirJob, type LinkedFile } from './copy-files.ts';
import { shiftId, type IdShift } from './id-shift.ts';
import { StorageError } from './errors.ts';

export interface CopyStats {
  readonly entries: number;
}

interface PendingDir {
  readonly path: string;
  readonly stat: Stats;
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

/** src/storage/copy-worker.ts, from here in a checkout or from dist/ when bundled. */
function locateCopyWorker(): string {
  for (let depth = 0, dir = dirname(fileURLToPath(import.meta.url)); depth < 4; depth++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'copy-worker.ts'), join(dir, 'src', 'storage', 'copy-worker.ts')]) {
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new StorageError('ISOLA_STORAGE_COPY_FAILED', 'src/storage/copy-worker.ts is missing from this installation', { hint: 'reinstall isola' });
}

/**
 * Creating an inode is latency-bound on many filesystems (journal, disk
 * round trips: measured here 0.8 ms per file alone, 0.17 ms with 8 at once),
 * so the files go in from this many threads. Small layers stay on this
 * thread: a worker costs tens of milliseconds to start.
 */
const WORKERS = 8;
const ENTRIES_PER_WORKER = 2000;

interface WorkerResult {
  readonly entries?: number;
  readonly linked?: LinkedFile[];
  readonly error?: string;
  readonly path?: string;
}

async function copyFiles(jobs: readonly DirJob[], shift: IdShift, entries: number): Promise<{ entries: number; linked: LinkedFile[] }> {
  const count = Math.min(WORKERS, Math.floor(entries / ENTRIES_PER_WORKER));
  if (count < 2) {
    const linked: LinkedFile[] = [];
    for (const job of jobs) linked.push(...copyDirectoryFiles(job, shift).linked);
    return { entries, linked };
  }
  const file = locateCopyWorker();
  const counter = new SharedArrayBuffer(4);
  const results = await Promise.all(Array.from({ length: count }, () => new Promise<WorkerResult>((resolve, reject) => {
    const worker = new Worker(file, { workerData: { jobs, shift, counter } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`copy worker exited with ${code}`)); });
  })));
  const failed = results.find((r) => r.error !== undefined);
  if (failed !== undefined) throw Object.assign(new Error(failed.error), { path: failed.path });
  return { entries, linked: results.flatMap((r) => r.linked ?? []) };
}

/** Hard links: the first name of each inode is copied, the others link to it. */
function copyLinked(linked: readonly LinkedFile[], shift: IdShift): void {
  const firsts = new Map<string, string>();
  for (const file of linked) {
    const first = firsts.get(file.key);
    if (first !== undefined) {
      linkSync(first, file.to);
      continue;
    }
    copyEntry(file.from, file.to, lstatSync(file.from), shift);
    firsts.set(file.key, file.to);
  }
}

/**
 * Copies `source` into `target` (which must not exist) with shifted owners.
 * Directories are made on this thread, then their files from worker threads.
 * @throws StorageError ISOLA_STORAGE_COPY_FAILED naming the file; the
 *   caller removes the partial copy.
 */
export async function copyShifted(source: string, target: string, shift: IdShift): Promise<CopyStats> {
  const dirs: PendingDir[] = [];
  const jobs: DirJob[] = [];
  let entries = 0;
  let current = source;
  try {
    dirs.push({ path: target, stat: lstatSync(source) });
    mkdirSync(target, { mode: 0o700 });
    const stack: [string, string][] = [[source, target]];
    while (stack.length > 0) {
      const [fromDir, toDir] = stack.pop()!;
      const names: string[] = [];
      for (const entry of readdirSync(fromDir, { withFileTypes: true })) {
        const from = join(fromDir, entry.name);
        const to = join(toDir, entry.name);
        current = from;
        entries++;
        if (!entry.isDirectory()) {
          names.push(entry.name);
          continue;
        }
        dirs.push({ path: to, stat: lstatSync(from) });
        mkdirSync(to, { mode: 0o700 });
        stack.push([from, to]);
      }
      if (names.length > 0) jobs.push({ from: fromDir, to: toDir, names });
    }
    current = source;
    const { linked } = await copyFiles(jobs, shift, entries);
    copyLinked(linked, shift);
    // Parents last, so creating their entries does not change their times.
    for (let i = dirs.length - 1; i >= 0; i--) {
      const { path, stat } = dirs[i]!;
      current = path;
      lchownSync(path, shiftId(shift.uids, stat.uid, shift.overflow.uid), shiftId(shift.gids, stat.gid, shift.overflow.gid));
      chmodSync(path, stat.mode & 0o7777);
      lutimesSync(path, stat.atime, stat.mtime);
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    const path = (error as { path?: string }).path ?? current;
    throw new StorageError('ISOLA_STORAGE_COPY_FAILED', `cannot copy ${path}: ${(error as Error).message}`,
      { path, cause: error, hint: 'check that the layer is readable and the target filesystem has room' });
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
