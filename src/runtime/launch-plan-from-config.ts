/**
 * An OCI runtime config (config.json) turned into the shim's LaunchPlan. This
 * is where the runtime decides how each part of the spec happens on this host;
 * anything it cannot honour is an error here, before any process exists.
 */
import { posix } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { capabilityMask, rlimitResource, rlimitToBigInt } from '../security/index.ts';
import type { LaunchPlan, NamespaceKind, PlanCapabilities, PlanRlimit } from '../launch/index.ts';
import type { OciConfig, OciNamespace, OciProcess } from './oci-config.ts';
import type { HostContext } from './host-context.ts';
import { checkNoUsernsAllowed, planIdMaps, toIdMapEntries } from './id-map-plan.ts';
import { devSymlinks, planDevices, planMounts } from './mount-plan.ts';
import { MS } from './mount-options.ts';
import { planPersonality, planSeccomp, planSysctls, planTimeOffsets } from './kernel-settings.ts';
import { validateRuntimeConfig } from './validate-config.ts';
import { unsupportedField } from './config-error.ts';

export interface PlanContext {
  readonly host: HostContext;
  /** Directory relative paths in the config are resolved against. */
  readonly bundle: string;
  /** Switch the caller's terminal to raw mode while a container terminal is relayed. */
  readonly isHostTerminalRaw: boolean;
}

const NAMESPACE_KINDS: Readonly<Record<string, NamespaceKind>> = {
  mount: 'mount', pid: 'pid', network: 'net', uts: 'uts', ipc: 'ipc', user: 'user', cgroup: 'cgroup',
};

/** Applied recursively to the rootfs, as runc and crun do. */
const ROOTFS_PROPAGATION: Readonly<Record<string, number>> = {
  private: MS.private, slave: MS.slave, shared: MS.shared, unbindable: MS.unbindable,
};

function unsupported(what: string): IsolaError {
  return new IsolaError('ISOLA_RUNTIME_UNSUPPORTED', `${what} is not supported yet`, { hint: `remove ${what} from the config` });
}

function planNamespaces(namespaces: readonly OciNamespace[]): NamespaceKind[] {
  // A time namespace is not a clone flag here: the init makes it (planTimeOffsets).
  return namespaces.filter((ns) => ns.type !== 'time').map((ns) => {
    const kind = NAMESPACE_KINDS[ns.type];
    if (kind === undefined) throw unsupported(`namespace type ${JSON.stringify(ns.type)}`);
    if (ns.path !== undefined) throw unsupported(`joining the ${ns.type} namespace at ${ns.path}`);
    return kind;
  });
}

function planCapabilities(process: OciProcess): PlanCapabilities {
  const caps = process.capabilities ?? {};
  return {
    bounding: capabilityMask(caps.bounding ?? []), effective: capabilityMask(caps.effective ?? []),
    permitted: capabilityMask(caps.permitted ?? []), inheritable: capabilityMask(caps.inheritable ?? []),
    ambient: capabilityMask(caps.ambient ?? []),
  };
}

function planRlimits(process: OciProcess): PlanRlimit[] {
  return (process.rlimits ?? []).map((r) => {
    const soft = rlimitToBigInt(r.soft);
    const hard = rlimitToBigInt(r.hard);
    if (soft > hard) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `${r.type}: soft limit ${soft} is above the hard limit ${hard}`);
    return { resource: rlimitResource(r.type).number, soft, hard };
  });
}

/** @throws ConfigError for a field validateRuntimeConfig refuses, IsolaError for what this host cannot do. */
export async function buildLaunchPlan(config: OciConfig, context: PlanContext): Promise<LaunchPlan> {
  // A config from another engine is untrusted input: check every field before deciding anything.
  validateRuntimeConfig(config);
  const { process, root, linux = {} } = config;
  if (process === undefined || (process.args ?? []).length === 0) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'the config has no process.args', { hint: 'give the command to run' });
  }
  if (root === undefined) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'the config has no root.path');
  const namespaces = planNamespaces(linux.namespaces ?? []);
  const hasUserns = namespaces.includes('user');
  const idMaps = hasUserns ? planIdMaps(toIdMapEntries(linux.uidMappings), toIdMapEntries(linux.gidMappings), context.host) : undefined;
  if (!hasUserns) checkNoUsernsAllowed(context.host);
  if (!namespaces.includes('mount')) throw unsupported('a container without a mount namespace');

  const mounts = await planMounts(config.mounts ?? [], context.bundle);
  const ownsDev = mounts.some((m) => m.destination === '/dev' && !m.isBind);
  const hasDevpts = mounts.some((m) => m.destination === '/dev/pts' && m.fstype === 'devpts');
  const propagation = MS.rec | (ROOTFS_PROPAGATION[linux.rootfsPropagation ?? 'private'] ?? MS.private);
  const user = process.user;
  const keepsGroups = idMaps?.writer.method === 'direct' && idMaps.writer.denySetgroups;
  if (keepsGroups && (user.additionalGids ?? []).length > 0) {
    throw unsupportedField('process.user.additionalGids', 'supplementary groups cannot be set: this map is written without newgidmap, so setgroups is denied',
      'remove additionalGids, or install newuidmap/newgidmap (package uidmap) and map subordinate ids');
  }
  return {
    namespaces, idMaps,
    rootfs: { path: posix.resolve(context.bundle, root.path), propagation, isReadonly: root.readonly === true },
    ensureDirs: [],
    mounts: [...mounts, ...planDevices(linux.devices ?? [], ownsDev)],
    symlinks: ownsDev ? devSymlinks(hasDevpts) : [],
    maskedPaths: linux.maskedPaths ?? [], readonlyPaths: linux.readonlyPaths ?? [],
    hostname: config.hostname, domainname: config.domainname,
    isLoopbackUp: namespaces.includes('net'),
    rlimits: planRlimits(process), oomScoreAdj: process.oomScoreAdj, hasNewSession: true,
    terminal: process.terminal === true
      ? { rows: process.consoleSize?.height ?? 0, cols: process.consoleSize?.width ?? 0, isHostRaw: context.isHostTerminalRaw }
      : undefined,
    user: { uid: user.uid, gid: user.gid, umask: user.umask ?? 0o022 },
    additionalGids: keepsGroups ? undefined : user.additionalGids ?? [],
    capabilities: planCapabilities(process), noNewPrivileges: process.noNewPrivileges === true,
    seccomp: planSeccomp(config), sysctls: planSysctls(config), personality: planPersonality(config),
    timeOffsets: planTimeOffsets(config),
    cwd: process.cwd, args: process.args ?? [], env: process.env ?? [],
  };
}
