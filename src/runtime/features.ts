/**
 * What this runtime supports, as the runtime-spec's `features` document
 * (features-schema.json) that `isola-runtime features` prints, and the
 * `--version` text derived from it. Every entry must be true of the code:
 * clients (containerd, CRI-O) decide what to send from it.
 */
import { CAPABILITY_NAMES, SECCOMP_ARCHITECTURES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from '../security/index.ts';
import { MOUNT_OPTION_NAMES } from './mount-options.ts';

export const OCI_VERSION_MIN = '1.0.0';
export const OCI_VERSION_MAX = '1.3.0';

/** Hooks the runtime runs (runtime-core owns running them; keep this list true). */
export const SUPPORTED_HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

/** SCMP_ACT_NOTIFY is missing: isola hands out no seccomp listener yet. */
const SECCOMP_ACTIONS_SUPPORTED = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG',
];

export interface OciFeatures {
  readonly ociVersionMin: string;
  readonly ociVersionMax: string;
  readonly hooks: readonly string[];
  readonly mountOptions: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly potentiallyUnsafeConfigAnnotations?: readonly string[];
  readonly linux: {
    readonly namespaces: readonly string[];
    readonly capabilities: readonly string[];
    readonly cgroup: { readonly v1: boolean; readonly v2: boolean; readonly systemd: boolean; readonly systemdUser: boolean; readonly rdma: boolean };
    readonly seccomp: {
      readonly enabled: boolean; readonly actions: readonly string[]; readonly operators: readonly string[];
      readonly archs: readonly string[]; readonly knownFlags: readonly string[]; readonly supportedFlags: readonly string[];
    };
    readonly apparmor: { readonly enabled: boolean };
    readonly selinux: { readonly enabled: boolean };
    readonly intelRdt: { readonly enabled: boolean };
    readonly mountExtensions: { readonly idmap: { readonly enabled: boolean } };
    readonly netDevices: { readonly enabled: boolean };
  };
}

export function runtimeFeatures(): OciFeatures {
  const flags = Object.keys(SECCOMP_FLAGS);
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [...SUPPORTED_HOOKS],
    mountOptions: [...MOUNT_OPTION_NAMES],
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'],
      capabilities: [...CAPABILITY_NAMES],
      // systemd cgroup management is accepted on the command line but done through cgroupfs.
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true, actions: SECCOMP_ACTIONS_SUPPORTED, operators: [...SECCOMP_OPERATORS], archs: [...SECCOMP_ARCHITECTURES],
        // WAIT_KILLABLE_RECV only means something with a listener.
        knownFlags: flags, supportedFlags: flags.filter((f) => f !== 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'),
      },
      // Labels are recorded in the config but not applied.
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: false },
    },
  };
}

/** `--version` output: the version, the spec range, and crun-style `+FEATURE -FEATURE` words. */
export function runtimeVersionText(name: string, version: string): string {
  const f = runtimeFeatures();
  const words: [string, boolean][] = [
    ['CAP', true], ['SECCOMP', f.linux.seccomp.enabled], ['USERNS', true], ['TIMENS', f.linux.namespaces.includes('time')],
    ['CGROUPV1', f.linux.cgroup.v1], ['CGROUPV2', f.linux.cgroup.v2], ['IDMAP', f.linux.mountExtensions.idmap.enabled],
    ['SYSTEMD', f.linux.cgroup.systemd], ['SELINUX', f.linux.selinux.enabled], ['APPARMOR', f.linux.apparmor.enabled],
  ];
  return [
    `${name} version ${version}`,
    `spec: ${f.ociVersionMax} (accepts ${f.ociVersionMin} to ${f.ociVersionMax})`,
    words.map(([word, isOn]) => `${isOn ? '+' : '-'}${word}`).join(' '),
  ].join('\n');
}
