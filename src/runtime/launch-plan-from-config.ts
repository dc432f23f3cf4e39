/**
 * An OCI runtime config (config.json) turned into the shim's LaunchPlan. This
 * is where the runtime decides how each part of the spec happens on this host;
 * anything it cannot honour is an error here, before any process exists.
 */
import { posix } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { CAPABILITY_NAMES, capabilityMask, rlimitResource, rlimitToBigInt } from '../security/index.ts';
import type { LaunchPlan, NamespaceKind, PlanCapabilities, PlanDeviceNode, PlanMount, PlanRlimit, PlanRootfsOverlay } from '../launch/index.ts';
import type { OciConfig, OciDevice, OciNamespace, OciProcess } from './oci-config.ts';
import type { HostContext } from './host-context.ts';
import { checkNoUsernsAllowed, planIdMaps, toIdMapEntries } from './id-map-plan.ts';
import { devSymlinks, planDeviceNodes, planDevices, planMounts } from './mount-plan.ts';
import { MS } from './mount-options.ts';
import { planPersonality, planSeccomp, planSysctls, planTimeOffsets } from './kernel-settings.ts';
import { validateRuntimeConfig } from './validate-config.ts';
import { unsupportedField } from './config-error.ts';
import { planMakeCwd } from './workdir-plan.ts';

export interface PlanContext {
  readonly host: HostContext;
  /** Directory relative paths in the config are resolved against. */
  readonly bundle: string;
  /** Switch the caller's terminal to raw mode while a container terminal is relayed. */
  readonly isHostTerminalRaw: boolean;
  /**
   * The rootfs as an overlay (storage/ decides its layers and how), mounted
   * onto root.path, an empty directory, in the container's namespace only.
   */
  readonly rootfsOverlay?: PlanRootfsOverlay | undefined;
  /**
   * A missing working directory is made as podman makes it (the process
   * user's, see workdir-plan.ts) instead of as runc does. @default false
   */
  readonly isCwdMadeForUser?: boolean | undefined;
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

export function namespaceKind(type: string): NamespaceKind {
  const kind = NAMESPACE_KINDS[type];
  if (kind === undefined) throw unsupported(`namespace type ${JSON.stringify(type)}`);
  return kind;
}

/** Namespaces to create, and those with a path, joined instead. */
function planNamespaces(namespaces: readonly OciNamespace[]): { created: NamespaceKind[]; joined: { kind: NamespaceKind; path: string }[] } {
  const created: NamespaceKind[] = [];
  const joined: { kind: NamespaceKind; path: string }[] = [];
  for (const ns of namespaces) {
    // A new time namespace is not a clone flag here: the init makes it (planTimeOffsets).
    if (ns.type === 'time' && (ns.path === undefined || ns.path === '')) continue;
    const kind = namespaceKind(ns.type);
    if (created.includes(kind) || joined.some((j) => j.kind === kind)) {
      throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `linux.namespaces lists the ${ns.type} namespace twice`, { hint: 'list each namespace type once' });
    }
    if (ns.path === undefined || ns.path === '') created.push(kind);
    else joined.push({ kind, path: ns.path });
  }
  return { created, joined };
}

/**
 * Without a user namespace of its own, capset refuses a permitted, effective,
 * inheritable or ambient capability outside the bounding set, after start, where nobody
 * may be watching: refuse it at create. (A new user namespace starts with
 * every capability; execve then keeps those in the bounding set, as docker's
 * --privileged grants what the daemon holds.)
 */
function checkCapabilitiesHeld(caps: PlanCapabilities, host: HostContext): void {
  if (host.boundingCaps === undefined) return;
  const missing = (caps.permitted | caps.effective | caps.inheritable | caps.ambient) & ~host.boundingCaps;
  if (missing === 0n) return;
  const names = CAPABILITY_NAMES.filter((_, bit) => (missing >> BigInt(bit)) & 1n);
  throw new IsolaError('ISOLA_RUNTIME_CAPABILITY_UNAVAILABLE',
    `process.capabilities asks for ${names.join(', ')}, which the runtime does not hold itself (not in its bounding set)`,
    { hint: 'remove them from the config, or run the runtime with them' });
}

export function planCapabilities(process: OciProcess): PlanCapabilities {
  const caps = process.capabilities ?? {};
  return {
    bounding: capabilityMask(caps.bounding ?? []), effective: capabilityMask(caps.effective ?? []),
    permitted: capabilityMask(caps.permitted ?? []), inheritable: capabilityMask(caps.inheritable ?? []),
    ambient: capabilityMask(caps.ambient ?? []),
  };
}

export function planRlimits(process: OciProcess): PlanRlimit[] {
  return (process.rlimits ?? []).map((r) => {
    const soft = rlimitToBigInt(r.soft);
    const hard = rlimitToBigInt(r.hard);
    if (soft > hard) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `${r.type}: soft limit ${soft} is above the hard limit ${hard}`);
    return { resource: rlimitResource(r.type).number, soft, hard };
  });
}

/**
 * Host nodes bound in a user namespace; mknod for linux.devices without one.
 * On an overlay rootfs the bind targets are made inside, once it is mounted.
 */
function devicePlan(devices: readonly OciDevice[], ownsDev: boolean, isInUserns: boolean, mounts: readonly PlanMount[],
  isOnOverlay: boolean): { mounts: PlanMount[]; deviceNodes: PlanDeviceNode[] | undefined } {
  const bound = (list: PlanMount[]): PlanMount[] => isOnOverlay ? list.map((m) => ({ ...m, isPrecreated: false })) : list;
  if (isInUserns) return { mounts: [...mounts, ...bound(planDevices(devices, ownsDev))], deviceNodes: undefined };
  const made = planDeviceNodes(devices);
  // The default devices the config does not list are still bound from the host.
  return { mounts: [...mounts, ...bound(planDevices([], ownsDev).filter((m) => !made.some((n) => n.path === m.destination)))], deviceNodes: made };
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
  const { created: namespaces, joined } = planNamespaces(linux.namespaces ?? []);
  // A joined user namespace already has its maps.
  const hasUserns = namespaces.includes('user');
  const isUsernsJoined = joined.some((j) => j.kind === 'user');
  const idMaps = hasUserns ? planIdMaps(toIdMapEntries(linux.uidMappings), toIdMapEntries(linux.gidMappings), context.host) : undefined;
  if (!hasUserns && !isUsernsJoined) checkNoUsernsAllowed(context.host);
  // A joined mount namespace is set up as a new one would be (the shim joins it before clone), as runc does.
  const hasMountns = namespaces.includes('mount') || joined.some((j) => j.kind === 'mount');

  const overlay = context.rootfsOverlay;
  // Targets made before clone would land in the empty mount point, under the
  // overlay: with one, the init makes them, as the upper layer's owner.
  const mounts = (await planMounts(config.mounts ?? [], context.bundle)).map((m) => overlay === undefined ? m : { ...m, isPrecreated: false });
  if (!hasUserns && (mounts.some((m) => m.idmap !== undefined) || overlay?.isIdmapped === true || overlay?.isInUserns === true)) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'ID-mapped mounts need a user namespace',
      { hint: 'drop idmap from the mounts, or give the container a user namespace' });
  }
  const ownsDev = mounts.some((m) => m.destination === '/dev' && !m.isBind);
  const hasDevpts = mounts.some((m) => m.destination === '/dev/pts' && m.fstype === 'devpts');
  const propagation = MS.rec | (ROOTFS_PROPAGATION[linux.rootfsPropagation ?? 'private'] ?? MS.private);
  const user = process.user;
  const keepsGroups = idMaps?.writer.method === 'direct' && idMaps.writer.denySetgroups;
  if (keepsGroups && (user.additionalGids ?? []).length > 0) {
    throw unsupportedField('process.user.additionalGids', 'supplementary groups cannot be set: this map is written without newgidmap, so setgroups is denied',
      'remove additionalGids, or install newuidmap/newgidmap (package uidmap) and map subordinate ids');
  }
  const capabilities = planCapabilities(process);
  if (!hasUserns) checkCapabilitiesHeld(capabilities, context.host);
  const plan: LaunchPlan = {
    namespaces, idMaps, joinNamespaces: joined.length === 0 ? undefined : joined,
    rootfs: { path: posix.resolve(context.bundle, root.path), propagation, isReadonly: root.readonly === true },
    rootfsOverlay: overlay,
    ensureDirs: [],
    ...devicePlan(linux.devices ?? [], ownsDev, hasUserns || isUsernsJoined, mounts, overlay !== undefined),
    symlinks: ownsDev ? devSymlinks(hasDevpts) : [],
    maskedPaths: linux.maskedPaths ?? [], readonlyPaths: linux.readonlyPaths ?? [],
    hostname: config.hostname, domainname: config.domainname,
    isLoopbackUp: namespaces.includes('net'),
    rlimits: planRlimits(process), oomScoreAdj: process.oomScoreAdj, hasNewSession: true,
    // prestart, createRuntime and startContainer hooks run after create and may install the command.
    isExecutableCheckedAtCreate: [config.hooks?.prestart, config.hooks?.createRuntime, config.hooks?.startContainer].every((h) => (h ?? []).length === 0),
    terminal: process.terminal === true
      ? { rows: process.consoleSize?.height ?? 0, cols: process.consoleSize?.width ?? 0, isHostRaw: context.isHostTerminalRaw }
      : undefined,
    user: { uid: user.uid, gid: user.gid, umask: user.umask ?? 0o022 },
    additionalGids: keepsGroups ? undefined : user.additionalGids ?? [],
    capabilities, noNewPrivileges: process.noNewPrivileges === true,
    seccomp: await planSeccomp(config), sysctls: planSysctls(config), personality: planPersonality(config),
    timeOffsets: planTimeOffsets(config),
    cwd: process.cwd, args: process.args ?? [], env: process.env ?? [],
    makeCwd: planMakeCwd({
      cwd: process.cwd, user: { uid: user.uid, gid: user.gid }, mounts, isOnOverlay: overlay !== undefined, idMaps,
      isUsernsJoined, caller: context.host, isForUser: context.isCwdMadeForUser === true,
    }),
  };
  // Without a mount namespace the process shares the runtime's filesystem, as
  // with runc: a rootfs, mounts and /dev would change the host's, so none is made.
  return hasMountns ? plan : withoutFilesystem(plan);
}

function withoutFilesystem(plan: LaunchPlan): LaunchPlan {
  return {
    ...plan, rootfs: undefined, rootfsOverlay: undefined, ensureDirs: [], mounts: [], deviceNodes: [], symlinks: [], makeCwd: undefined,
    maskedPaths: [], readonlyPaths: [], sysctls: [],
    // The runtime's own filesystem is no container's to search.
    isExecutableCheckedAtCreate: false,
  };
}
