/**
 * Paths inside an image's root filesystem, resolved the way openat2(2) with
 * RESOLVE_IN_ROOT would: one component at a time, every symlink read and
 * followed relative to the rootfs, absolute targets restarting at the rootfs,
 * `..` stopping at it. An image is untrusted input: a naive join of
 * `<rootfs>/etc/passwd` follows `etc -> /etc` or `passwd -> ../../../etc/shadow`
 * into the host. Node has no openat2, so the final open also refuses a
 * symlink (O_NOFOLLOW) and the opened file's real path is checked against the
 * rootfs, which catches a component swapped between the lstat and the open.
 *
 * The calls are synchronous: `isola run` reads /etc/passwd and /etc/group this
 * way at start-up, a dozen system calls of microseconds each, where promise
 * calls cost a thread-pool round trip apiece.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError, type SpecErrorCode } from './errors.ts';

/** The kernel's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

/** @default 4 MiB: far above any real /etc/passwd, small enough to hold in memory. */
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function lstatOrMissing(hostPath: string) {
  try {
    return lstatSync(hostPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The host path of `path` inside `rootfs`, every symlink resolved within the
 * rootfs. The last component may be missing (the result names where it would
 * be); a missing directory on the way is an error.
 * @param rootfs absolute host path of the root filesystem (trusted).
 * @param path path as the container sees it; relative paths start at its root.
 * @throws SpecError ISOLA_SPEC_PATH_NOT_FOUND, ISOLA_SPEC_PATH_NOT_DIRECTORY, ISOLA_SPEC_PATH_LOOP.
 */
export async function resolveInRoot(rootfs: string, path: string): Promise<string> {
  const pending = splitPath(path);
  const resolved: string[] = [];
  let symlinkCount = 0;
  const fail = (code: SpecErrorCode, what: string, hint?: string) =>
    new SpecError(code, `${path} in ${rootfs}: ${what}`, { path, hint });
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const hostPath = join(rootfs, ...resolved, part);
    const shown = `/${[...resolved, part].join('/')}`;
    const stats = lstatOrMissing(hostPath);
    const isLast = pending.length === 0;
    if (stats === undefined) {
      if (isLast) return hostPath;
      throw fail('ISOLA_SPEC_PATH_NOT_FOUND', `${shown} does not exist`);
    }
    if (stats.isSymbolicLink()) {
      symlinkCount += 1;
      if (symlinkCount > MAX_SYMLINKS) {
        throw fail('ISOLA_SPEC_PATH_LOOP', `more than ${MAX_SYMLINKS} symlinks`, 'the image has a symlink loop; fix the image');
      }
      const target = readlinkSync(hostPath);
      if (target === '') throw fail('ISOLA_SPEC_PATH_NOT_FOUND', `empty symlink ${shown}`);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...splitPath(target));
      continue;
    }
    if (!isLast && !stats.isDirectory()) throw fail('ISOLA_SPEC_PATH_NOT_DIRECTORY', `${shown} is not a directory`);
    resolved.push(part);
  }
  return join(rootfs, ...resolved);
}

export interface ReadInRootOptions {
  /** Refuse files larger than this. @default 4 MiB */
  readonly maxBytes?: number;
}

/**
 * Reads a regular file inside `rootfs` as UTF-8 without ever leaving it;
 * undefined when the file (or a directory above it) does not exist.
 * FIFOs and devices are refused rather than opened for reading (a FIFO
 * named /etc/passwd would block forever).
 * @throws SpecError ISOLA_SPEC_FILE_NOT_REGULAR, ISOLA_SPEC_FILE_TOO_LARGE,
 *   ISOLA_SPEC_PATH_ESCAPED, and the resolveInRoot codes other than NOT_FOUND.
 */
export async function readFileInRoot(
  rootfs: string,
  path: string,
  options: ReadInRootOptions = {},
): Promise<string | undefined> {
  let hostPath: string;
  try {
    hostPath = await resolveInRoot(rootfs, path);
  } catch (error) {
    if (error instanceof SpecError && error.code === 'ISOLA_SPEC_PATH_NOT_FOUND') return undefined;
    throw error;
  }
  // libuv adds O_CLOEXEC itself; O_NONBLOCK keeps a FIFO from blocking the open.
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(hostPath, flags);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    if (errnoCode(error) === 'ELOOP') {
      const message = `${path} in ${rootfs} became a symlink while being opened`;
      throw new SpecError('ISOLA_SPEC_PATH_ESCAPED', message, { path, cause: error });
    }
    throw error;
  }
  try {
    const opened = readlinkSync(`/proc/self/fd/${fd}`);
    const root = realpathSync.native(rootfs);
    if (!opened.startsWith(root.endsWith('/') ? root : `${root}/`)) {
      throw new SpecError('ISOLA_SPEC_PATH_ESCAPED', `${path} in ${rootfs} resolved to ${opened}, outside the rootfs`, {
        path,
        hint: 'something changed the image while isola read it; retry, and check who else writes to it',
      });
    }
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new SpecError('ISOLA_SPEC_FILE_NOT_REGULAR', `${path} in ${rootfs} is not a regular file`, { path });
    }
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (stats.size > maxBytes) {
      const message = `${path} in ${rootfs} is ${stats.size} bytes, over ${maxBytes}`;
      throw new SpecError('ISOLA_SPEC_FILE_TOO_LARGE', message, { path });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
