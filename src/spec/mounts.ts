/**
 * The mount list of a container, in the order the runtime must mount them:
 * the kernel filesystems, the engine's /etc files, then the user's volumes
 * and tmpfs mounts, so a user mount can cover a default one and never the
 * other way round.
 */
import type { OciIdMapping, OciMount } from '../runtime/index.ts';
import type { IdMapEntry } from '../userns/index.ts';
import type { NetworkMode, TmpfsOption, VolumeOption } from './container-options.ts';

/** Host paths of the files the engine wrote for this container. */
export interface RuntimeFiles {
  readonly hostname: string;
  readonly hosts: string;
  readonly resolvConf: string;
}

export interface MountInput {
  readonly hasUserns: boolean;
  /** True when the container's gid 5 (tty) has a host id: devpts refuses gid=5 otherwise. */
  readonly isTtyGroupMapped: boolean;
  readonly network: NetworkMode;
  readonly isReadonlyRootfs: boolean;
  readonly runtimeFiles: RuntimeFiles;
  readonly volumes: readonly VolumeOption[];
  readonly tmpfs: readonly TmpfsOption[];
}

/** docker's --tmpfs defaults; the user's options override a conflicting one. */
const TMPFS_DEFAULT_OPTIONS = ['nosuid', 'nodev', 'noexec'];

const OPPOSITE_OPTIONS: Readonly<Record<string, string>> = {
  ro: 'rw', rw: 'ro', exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
};

/** Defaults then the user's options, a user option replacing its opposite. */
export function mergeTmpfsOptions(userOptions: string): string[] {
  const given = userOptions.split(',').map((option) => option.trim()).filter((option) => option !== '');
  const overridden = new Set(given.map((option) => OPPOSITE_OPTIONS[option]).filter((o) => o !== undefined));
  const defaults = TMPFS_DEFAULT_OPTIONS.filter((option) => !overridden.has(option) && !given.includes(option));
  return [...defaults, ...given];
}

function sysMount(input: MountInput): OciMount {
  // sysfs may only be mounted by a user namespace that owns the network
  // namespace; sharing the host's network leaves only a read-only bind.
  if (input.hasUserns && input.network === 'host') {
    return { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro', 'rro'] };
  }
  return { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
}

function kernelMounts(input: MountInput): OciMount[] {
  const ptsOptions = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
  if (!input.hasUserns || input.isTtyGroupMapped) ptsOptions.push('gid=5');
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ptsOptions },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'nodev', 'noexec', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'nodev', 'noexec'] },
    sysMount(input),
  ];
}

function etcMounts(input: MountInput): OciMount[] {
  // Writable like docker's unless the whole rootfs is read-only.
  const options = ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec', input.isReadonlyRootfs ? 'ro' : 'rw'];
  return [
    { destination: '/etc/hostname', type: 'bind', source: input.runtimeFiles.hostname, options },
    { destination: '/etc/hosts', type: 'bind', source: input.runtimeFiles.hosts, options },
    { destination: '/etc/resolv.conf', type: 'bind', source: input.runtimeFiles.resolvConf, options },
  ];
}

function toOciMappings(entries: readonly IdMapEntry[]): OciIdMapping[] {
  return entries.map((e) => ({ containerID: e.containerId, hostID: e.hostId, size: e.size }));
}

/** Every mount of the container, in mount order. */
export function buildMounts(input: MountInput): OciMount[] {
  const volumes: OciMount[] = input.volumes.map((volume) => ({
    destination: volume.destination,
    type: 'bind',
    source: volume.source,
    // ridmap: the recursive bind is ID-mapped throughout (runtime-spec 1.2).
    options: ['rbind', 'nosuid', 'nodev', volume.isReadonly ? 'ro' : 'rw', ...(volume.idmap === undefined ? [] : ['ridmap'])],
    ...(typeof volume.idmap === 'object' ? { uidMappings: toOciMappings(volume.idmap.uidMap), gidMappings: toOciMappings(volume.idmap.gidMap) } : {}),
  }));
  const tmpfs: OciMount[] = input.tmpfs.map((mount) => ({
    destination: mount.destination,
    type: 'tmpfs',
    source: 'tmpfs',
    options: mergeTmpfsOptions(mount.options),
  }));
  return [...kernelMounts(input), ...etcMounts(input), ...volumes, ...tmpfs];
}
