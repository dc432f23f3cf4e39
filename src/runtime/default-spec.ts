/**
 * The config.json `isola-runtime spec` writes: a starting point like
 * `runc spec`'s, a shell in a rootfs/ directory with new namespaces, a
 * read-only root, three capabilities and no_new_privs. `rootless` adds a
 * user namespace mapping the caller alone and leaves out what an
 * unprivileged user cannot have (a tty group it cannot map).
 */
import type { OciConfig, OciMount, OciNamespaceType } from './oci-config.ts';
import { OCI_VERSION_MAX } from './features.ts';

export interface DefaultSpecOptions {
  /** The caller's ids: make a rootless config that maps them to root. @default a config for root */
  readonly rootless?: { readonly uid: number; readonly gid: number } | undefined;
  /** @default ['sh'] */
  readonly args?: readonly string[] | undefined;
}

const CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * runc's list without /sys/fs/cgroup: the runtime does not yet turn a
 * `cgroup` mount into this host's hierarchies (v1, hybrid), and mount(2) of
 * type cgroup with no options fails, so `spec` then `run` would fail.
 */
function defaultMounts(isRootless: boolean): OciMount[] {
  // gid=5 (tty) is not mapped when only the caller's own id is.
  const ptsGroup = isRootless ? [] : ['gid=5'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...ptsGroup] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
}

export function defaultSpec(options: DefaultSpecOptions = {}): OciConfig {
  const rootless = options.rootless;
  const namespaces: OciNamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', ...(rootless === undefined ? [] : ['user' as const])];
  return {
    ociVersion: OCI_VERSION_MAX,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: [...options.args ?? ['sh']],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: CAPABILITIES, effective: CAPABILITIES, permitted: CAPABILITIES },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'isola',
    mounts: defaultMounts(rootless !== undefined),
    linux: {
      // No device cgroup rules: isola does not enforce one yet, and the container's /dev holds only its mounts.
      ...(rootless === undefined ? {} : {
        uidMappings: [{ containerID: 0, hostID: rootless.uid, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: rootless.gid, size: 1 }],
      }),
      namespaces: namespaces.map((type) => ({ type })),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
