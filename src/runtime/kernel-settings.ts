/**
 * The parts of config.json that become kernel settings of the container
 * rather than mounts or identity: linux.sysctl, linux.personality,
 * linux.timeOffsets (with a time namespace) and linux.seccomp.
 */
import { compileSeccompCached } from '../security/index.ts';
import type { PlanSeccomp, PlanTimeOffsets } from '../launch/index.ts';
import type { OciConfig, OciNamespaceType, OciTimeOffset } from './oci-config.ts';
import { invalidField, unsupportedField } from './config-error.ts';

/** Keys a namespace isolates, with the namespace; any other key would change the host. */
const NAMESPACED_SYSCTLS: readonly { readonly test: (key: string) => boolean; readonly namespace: OciNamespaceType }[] = [
  { test: (key) => key.startsWith('net.'), namespace: 'network' },
  { test: (key) => /^kernel\.(shm|msg)/.test(key) || key === 'kernel.sem', namespace: 'ipc' },
  { test: (key) => key.startsWith('fs.mqueue.'), namespace: 'ipc' },
  { test: (key) => key === 'kernel.hostname' || key === 'kernel.domainname', namespace: 'uts' },
];

const NAMESPACE_OPTION: Readonly<Record<string, string>> = { network: 'a network namespace', ipc: 'an IPC namespace', uts: 'a UTS namespace' };

function namespaceTypes(config: OciConfig): Set<string> {
  return new Set((config.linux?.namespaces ?? []).map((ns) => ns.type));
}

/** `net.ipv4.ip_forward` -> `/proc/sys/net/ipv4/ip_forward`; a key with `/` is a path already (VLAN names have dots). */
function sysctlPath(key: string): string {
  return `/proc/sys/${key.includes('/') ? key : key.replaceAll('.', '/')}`;
}

export function planSysctls(config: OciConfig): { path: string; value: string }[] {
  const namespaces = namespaceTypes(config);
  return Object.entries(config.linux?.sysctl ?? {}).map(([key, value]) => {
    const field = `linux.sysctl[${JSON.stringify(key)}]`;
    const parts = key.split(/[./]/);
    if (!/^[\w.\/@:-]+$/.test(key) || parts.some((p) => p === '' || p === '..')) {
      throw invalidField(field, 'is not a sysctl name', 'use a dotted name such as net.ipv4.ip_forward');
    }
    if (typeof value !== 'string' || value.includes('\0')) throw invalidField(field, 'the value must be a string without NUL bytes', 'quote the value');
    const dotted = key.replaceAll('/', '.');
    const rule = NAMESPACED_SYSCTLS.find((r) => r.test(dotted));
    if (rule === undefined) {
      throw unsupportedField(field, 'is not isolated by any namespace, so setting it would change the host',
        'set it on the host instead, or remove it (allowed: net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, kernel.hostname, kernel.domainname)');
    }
    if (!namespaces.has(rule.namespace)) {
      throw invalidField(field, `needs ${NAMESPACE_OPTION[rule.namespace]} of the container's own, or it would change the host's`,
        `add {"type": "${rule.namespace}"} to linux.namespaces or remove the key`);
    }
    return { path: sysctlPath(key), value };
  });
}

/** persona values of linux/personality.h. */
const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

export function planPersonality(config: OciConfig): number | undefined {
  const personality = config.linux?.personality;
  if (personality === undefined) return undefined;
  const domain = personality.domain ?? 'LINUX';
  const value = PERSONALITY_DOMAINS[domain];
  if (value === undefined || !Object.hasOwn(PERSONALITY_DOMAINS, domain)) {
    throw invalidField('linux.personality.domain', `unknown domain ${JSON.stringify(domain)}`, 'use LINUX or LINUX32');
  }
  if ((personality.flags ?? []).length > 0) {
    throw unsupportedField('linux.personality.flags', 'the runtime spec defines no personality flags yet', 'remove the flags');
  }
  return value;
}

function timeOffset(offset: OciTimeOffset | undefined, field: string): { secs: bigint; nanosecs: number } {
  const secs = offset?.secs ?? 0;
  const nanosecs = offset?.nanosecs ?? 0;
  if (!Number.isSafeInteger(secs)) throw invalidField(`${field}.secs`, `${secs} is not a whole number of seconds`, 'give whole seconds, negative to go back');
  if (!Number.isInteger(nanosecs) || nanosecs < 0 || nanosecs >= 1e9) {
    throw invalidField(`${field}.nanosecs`, `${nanosecs} is not from 0 to 999999999`, 'carry whole seconds into secs');
  }
  return { secs: BigInt(secs), nanosecs };
}

/** A new time namespace (with zero offsets unless linux.timeOffsets says otherwise), or none. */
export function planTimeOffsets(config: OciConfig): PlanTimeOffsets | undefined {
  const namespaces = config.linux?.namespaces ?? [];
  const index = namespaces.findIndex((ns) => ns.type === 'time');
  const timeNs = namespaces[index];
  const offsets = config.linux?.timeOffsets;
  if (timeNs === undefined) {
    if (offsets !== undefined) {
      throw invalidField('linux.timeOffsets', 'offsets apply only to a new time namespace', 'add {"type": "time"} to linux.namespaces');
    }
    return undefined;
  }
  if (timeNs.path !== undefined) {
    if (offsets !== undefined) throw invalidField('linux.timeOffsets', 'a time namespace that is joined keeps its own offsets', 'remove linux.timeOffsets');
    throw unsupportedField(`linux.namespaces[${index}].path`, 'joining an existing time namespace is not supported yet', 'remove the path to get a new time namespace');
  }
  return { monotonic: timeOffset(offsets?.monotonic, 'linux.timeOffsets.monotonic'), boottime: timeOffset(offsets?.boottime, 'linux.timeOffsets.boottime') };
}

/**
 * The compiled filter and when to load it: the default profile's program
 * comes precompiled with the build, others compile here.
 * @throws SeccompError with `field` set to the profile's JSON path.
 */
export async function planSeccomp(config: OciConfig): Promise<PlanSeccomp | undefined> {
  const profile = config.linux?.seccomp;
  if (profile === undefined) return undefined;
  const compiled = await compileSeccompCached(profile, { field: 'linux.seccomp' });
  return { program: compiled.program, flags: compiled.flags, phase: config.process?.noNewPrivileges === true ? 'before-exec' : 'before-identity' };
}
