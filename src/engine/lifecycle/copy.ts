/**
 * `cp` between the host and a container. A running container's files are
 * reached through /proc/PID/root (so its tmpfs and volumes too), a stopped
 * one's in its rootfs (see container-root.ts); paths inside are resolved within that root, every
 * symlink included, so a link in the container cannot send the copy to the
 * host's files. Ownership is mapped: what goes in belongs to the container's
 * root (its host id), what comes out belongs to the ids it had inside.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:fs';
import { cp, lstat, lchown, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IsolaError } from '../../errors/index.ts';
import { resolveInRoot } from '../../spec/index.ts';
import type { IdMapEntry } from '../../userns/index.ts';
import type { ContainerInfo } from './container-info.ts';
import { filesRootOf } from './container-root.ts';

/** What an id without a mapping shows as inside (/proc/sys/kernel/overflowuid). */
const OVERFLOW_ID = 65534;

function toInside(map: readonly IdMapEntry[] | undefined, hostId: number): number {
  if (map === undefined) return hostId;
  const entry = map.find((e) => hostId >= e.hostId && hostId < e.hostId + e.size);
  return entry === undefined ? OVERFLOW_ID : entry.containerId + (hostId - entry.hostId);
}

function toHost(map: readonly IdMapEntry[] | undefined, containerId: number): number {
  if (map === undefined) return containerId;
  const entry = map.find((e) => containerId >= e.containerId && containerId < e.containerId + e.size);
  return entry === undefined ? containerId : entry.hostId + (containerId - entry.containerId);
}

const containerRoot = filesRootOf;

/** dst itself, or dst/basename(src) when dst is an existing directory (as cp does). */
async function target(dst: string, src: string): Promise<string> {
  const existing = await stat(dst).catch(() => undefined);
  return existing?.isDirectory() === true ? join(dst, basename(src)) : dst;
}

async function chownTree(path: string, owner: (uid: number, gid: number) => [number, number]): Promise<void> {
  const stats = await lstat(path);
  const [uid, gid] = owner(stats.uid, stats.gid);
  await lchown(path, uid, gid);
  if (stats.isDirectory()) for (const name of await readdir(path)) await chownTree(join(path, name), owner);
}

function runTar(args: readonly string[], options: SpawnOptions): ChildProcess {
  return spawn('tar', args, options);
}

function finished(child: ChildProcess, what: string): Promise<void> {
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new IsolaError('ISOLA_ENGINE_COPY_FAILED', `cp: cannot run tar: ${error.message}`, { hint: 'install tar' })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new IsolaError('ISOLA_ENGINE_COPY_FAILED',
      `cp: ${what} failed: ${Buffer.concat(stderr).toString().trim() || `tar exited with ${code}`}`, { hint: 'check both paths' }))));
  });
}

/** A literal for tar's --transform (sed syntax): the pattern and the replacement escaped. */
function renameExpression(from: string, to: string): string {
  return `s,^${from.replace(/[.*^$[\]\\+?(){}|,]/g, '\\$&')},${to.replace(/[\\&,]/g, '\\$&')},`;
}

/**
 * Copies `hostPath` to `containerPath`; the copy belongs to the container's root.
 * A filesystem the container mounted (its tmpfs) accepts new files only from ids
 * mapped in its user namespace, so the writing tar runs as the container root's
 * host ids (util-linux setpriv), in a directory opened here beforehand (it may not reach
 * /proc/PID/root itself) and handed over as fd 3.
 */
export async function copyIntoContainer(info: ContainerInfo, hostPath: string, containerPath: string): Promise<void> {
  const resolved = await resolveInRoot(containerRoot(info), containerPath);
  const isIntoDir = (await stat(resolved).catch(() => undefined))?.isDirectory() === true;
  const dir = await open(isIntoDir ? resolved : dirname(resolved), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const name = basename(hostPath);
    const rename = isIntoDir || basename(resolved) === name ? [] : ['--transform', renameExpression(name, basename(resolved))];
    const reader = runTar(['-C', dirname(hostPath), '-cf', '-', '--', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    // setpriv (util-linux), not spawn's uid option: Node takes only int32 ids, and ranges start at 2^31.
    const writer = spawn('setpriv', [
      `--reuid=${toHost(info.idMaps?.uidMap, 0)}`, `--regid=${toHost(info.idMaps?.gidMap, 0)}`, '--clear-groups', '--',
      'tar', '-C', '/proc/self/fd/3', '-xf', '-', '--no-same-owner', ...rename,
    ], { stdio: ['pipe', 'ignore', 'pipe', dir.fd] });
    reader.stdout!.pipe(writer.stdin!);
    await Promise.all([finished(reader, `reading ${hostPath}`), finished(writer, `writing ${containerPath}`)]);
  } finally {
    await dir.close();
  }
}

/** Copies `containerPath` out to `hostPath`; the copy keeps the ids it had inside. */
export async function copyOutOfContainer(info: ContainerInfo, containerPath: string, hostPath: string): Promise<void> {
  const src = await resolveInRoot(containerRoot(info), containerPath);
  const dst = await target(hostPath, src);
  await cp(src, dst, { recursive: true, verbatimSymlinks: true, force: true });
  await chownTree(dst, (uid, gid) => [toInside(info.idMaps?.uidMap, uid), toInside(info.idMaps?.gidMap, gid)]);
}
