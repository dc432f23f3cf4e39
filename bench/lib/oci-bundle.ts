/**
 * The OCI bundle crun and runc run: a config like `runc spec`'s default (the
 * kernel filesystems, masked paths, three capabilities), with a user
 * namespace mapping 0:100000:65536 and /bin/true as the process.
 *
 * The rootfs is a copy of the benchmark's rootfs chowned to 100000:100000.
 * runc and crun do their mounts and the pivot as the container's root, which
 * is host uid 100000: on the original (owned by host root, so unmapped and
 * seen as nobody) they could not create anything, and a bind mount would not
 * change ownership. isola and bwrap use the original.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IdMapping {
  readonly containerID: number;
  readonly hostID: number;
  readonly size: number;
}

const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
const CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function buildBundleConfig(args: readonly string[], idMap: IdMapping): object {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      capabilities: { bounding: CAPABILITIES, effective: CAPABILITIES, permitted: CAPABILITIES },
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'bench',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      uidMappings: [idMap],
      gidMappings: [idMap],
      namespaces: ['user', 'pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

/** Writes `dir`/config.json and `dir`/rootfs (a copy of `rootfs` owned by the mapped root). */
export async function createOciBundle(dir: string, rootfs: string, args: readonly string[], idMap: IdMapping): Promise<void> {
  const copy = join(dir, 'rootfs');
  await mkdir(dir, { recursive: true });
  await run('cp', ['-a', rootfs, copy]);
  await run('chown', ['-R', `${idMap.hostID}:${idMap.hostID}`, copy]);
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(buildBundleConfig(args, idMap), null, 2)}\n`);
}
