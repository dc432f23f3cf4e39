/**
 * The container's mounts in the shim's terms: what to mount where, what to
 * create when the target is missing, and which targets can be created before
 * clone (those in the image itself, not on a filesystem mounted earlier).
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import type { PlanDeviceNode, PlanMount } from '../launch/index.ts';
import type { OciDevice, OciMount } from './oci-config.ts';
import { parseMountOptions } from './mount-options.ts';

/** The devices the runtime spec says every container gets. */
const DEFAULT_DEVICE_PATHS = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

export function normalizeDestination(path: string, what: string): string {
  if (!path.startsWith('/')) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `${what} ${JSON.stringify(path)} is not an absolute path`,
      { hint: 'container paths must start with /' });
  }
  return posix.normalize(path);
}

function isUnder(path: string, parent: string): boolean {
  return parent === '/' || path === parent || path.startsWith(`${parent}/`);
}

/**
 * Synchronous: a run binds a few sources (isola's /etc files, volumes), a stat
 * of microseconds each, where a promise stat costs a thread-pool round trip.
 */
function bindTargetKind(source: string, destination: string): 'dir' | 'file' {
  try {
    return statSync(source).isDirectory() ? 'dir' : 'file';
  } catch (error) {
    throw new IsolaError('ISOLA_RUNTIME_MOUNT_SOURCE_MISSING', `mount source ${source} for ${destination} does not exist`,
      { hint: 'create it on the host or fix the -v source path', cause: error });
  }
}

/** The mount's own maps (runtime-spec 1.1), else the container's. */
function mountIdmap(mount: OciMount): PlanMount['idmap'] {
  if (mount.uidMappings === undefined && mount.gidMappings === undefined) return 'container';
  const entries = (maps: OciMount['uidMappings']) => (maps ?? []).map((m) => ({ containerId: m.containerID, hostId: m.hostID, size: m.size }));
  const uidMap = entries(mount.uidMappings);
  const gidMap = mount.gidMappings === undefined ? uidMap : entries(mount.gidMappings);
  if (uidMap.length === 0) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `mount ${mount.destination}: idmap with gidMappings needs uidMappings too`);
  }
  return { uidMap, gidMap };
}

export async function planMounts(mounts: readonly OciMount[], bundle: string): Promise<PlanMount[]> {
  const planned: PlanMount[] = [];
  const ownFilesystems: string[] = [];
  for (const mount of mounts) {
    const destination = normalizeDestination(mount.destination, 'mount destination');
    const options = parseMountOptions(mount.options ?? [], destination);
    const isBind = options.isBind || mount.type === 'bind';
    const rawSource = mount.source ?? mount.type ?? 'none';
    const source = isBind ? posix.resolve(bundle, rawSource) : rawSource;
    const createTarget = isBind ? bindTargetKind(source, destination) : 'dir';
    if (options.isIdmapped && !isBind) {
      throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `mount ${destination}: idmap applies only to bind mounts`,
        { hint: 'drop idmap or make the mount a bind' });
    }
    planned.push({
      source, destination, fstype: isBind ? '' : mount.type ?? 'none', flags: options.flags, data: options.data,
      isBind, isRecursive: options.isRecursive, createTarget,
      isPrecreated: !ownFilesystems.some((parent) => isUnder(destination, parent)),
      attrSet: options.attrSet, propagation: options.propagation,
      idmap: options.isIdmapped ? mountIdmap(mount) : undefined,
    });
    if (!isBind) ownFilesystems.push(destination);
  }
  return planned;
}

/**
 * Without a user namespace of its own the container gets its linux.devices
 * as nodes made with mknod, with the config's numbers, mode and owner; the
 * default devices are still bound from the host.
 */
export function planDeviceNodes(devices: readonly OciDevice[]): PlanDeviceNode[] {
  return devices.map((d) => {
    const path = normalizeDestination(d.path, 'device path');
    const type = d.type === 'b' ? 'block' : d.type === 'p' ? 'fifo' : 'char';
    if (type !== 'fifo' && (d.major === undefined || d.minor === undefined)) {
      throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `device ${path} has no major or minor number`, { hint: 'give both for a c, u or b device' });
    }
    return { path, type, major: d.major ?? 0, minor: d.minor ?? 0, mode: d.fileMode ?? 0o666, uid: d.uid ?? 0, gid: d.gid ?? 0 };
  });
}

/** Device nodes are bound from the host: mknod is refused in a user namespace. */
export function planDevices(devices: readonly OciDevice[], ownsDev: boolean): PlanMount[] {
  const paths = devices.map((d) => normalizeDestination(d.path, 'device path'));
  if (ownsDev) for (const path of DEFAULT_DEVICE_PATHS) if (!paths.includes(path)) paths.push(path);
  return paths.map((path) => ({
    source: path, destination: path, fstype: '', flags: 0, data: '', isBind: true, isRecursive: false,
    createTarget: 'file', isPrecreated: !ownsDev || !path.startsWith('/dev/'), attrSet: 0x2 | 0x8, propagation: 0,
  }));
}

/** The links the runtime spec requires in a /dev the runtime mounted. */
export function devSymlinks(hasDevpts: boolean): { target: string; path: string }[] {
  const links = [
    { target: '/proc/self/fd', path: '/dev/fd' }, { target: '/proc/self/fd/0', path: '/dev/stdin' },
    { target: '/proc/self/fd/1', path: '/dev/stdout' }, { target: '/proc/self/fd/2', path: '/dev/stderr' },
  ];
  if (hasDevpts) links.push({ target: 'pts/ptmx', path: '/dev/ptmx' });
  return links;
}
