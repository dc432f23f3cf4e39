/**
 * An OCI runtime config (config.json) turned into the shim's LaunchPlan. This
 * is where the runtime decides how each part of the spec happens on this host;
 * anything it cannot honour is an error here, before any process exists.
 */
import { posix } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { capabilityMask, rlimitResource, rlimitToBigInt } from '../security/index.ts';
import type { LaunchPlan, NamespaceKind, PlanCapabilities, PlanDeviceNode, PlanMount, PlanRlimit } from '../launch/index.ts';
import type { OciConfig, OciDevice, OciNamespace, OciProcess } from './oci-config.ts';
import type { HostContext } from './host-context.ts';
import { checkNoUsernsAllowed, planIdMaps, toIdMapEntries } from './id-map-plan.ts';
import { devSymlinks, planDeviceNodes, planDevices, planMounts } from './mount-plan.ts';
import { MS } from './mount-options.ts';

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
    const kind = namespaceKind(ns.type);
    if (created.includes(kind) || joined.some((j) => j.kind === kind)) {
      throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `linux.namespaces lists the ${ns.type} namespace twice`, { hint: 'list each namespace type once' });
    }
    if (ns.path === undefined || ns.path === '') created.push(kind);
    else joined.push({ kind, path: ns.path });
  }
  return { created, joined };
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

function checkUnsupported(config: OciConfig): void {
  const linux = config.linux ?? {};
  if (linux.seccomp !== undefined) throw unsupported('linux.seccomp');
  if (linux.sysctl !== undefined && Object.keys(linux.sysctl).length > 0) throw unsupported('linux.sysctl');
  if (linux.timeOffsets !== undefined) throw unsupported('linux.timeOffsets');
  if (linux.personality !== undefined) throw unsupported('linux.personality');
}

/** Host nodes bound in a user namespace; mknod for linux.devices without one. */
function devicePlan(devices: readonly OciDevice[], ownsDev: boolean, isInUserns: boolean, mounts: readonly PlanMount[]):
  { mounts: PlanMount[]; deviceNodes: PlanDeviceNode[] | undefined } {
  if (isInUserns) return { mounts: [...mounts, ...planDevices(devices, ownsDev)], deviceNodes: undefined };
  const made = planDeviceNodes(devices);
  // The default devices the config does not list are still bound from the host.
  return { mounts: [...mounts, ...planDevices([], ownsDev).filter((m) => !made.some((n) => n.path === m.destination))], deviceNodes: made };
}

export async function buildLaunchPlan(config: OciConfig, context: PlanContext): Promise<LaunchPlan> {
  const { process, root, linux = {} } = config;
  if (process === undefined || (process.args ?? []).length === 0) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'the config has no process.args', { hint: 'give the command to run' });
  }
  if (root === undefined) throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'the config has no root.path');
  checkUnsupported(config);
  const { created: namespaces, joined } = planNamespaces(linux.namespaces ?? []);
  // A joined user namespace already has its maps.
  const hasUserns = namespaces.includes('user');
  const isUsernsJoined = joined.some((j) => j.kind === 'user');
  const idMaps = hasUserns ? planIdMaps(toIdMapEntries(linux.uidMappings), toIdMapEntries(linux.gidMappings), context.host) : undefined;
  if (!hasUserns && !isUsernsJoined) checkNoUsernsAllowed(context.host);
  if (!namespaces.includes('mount')) throw unsupported('a container without a mount namespace of its own');

  const mounts = await planMounts(config.mounts ?? [], context.bundle);
  const ownsDev = mounts.some((m) => m.destination === '/dev' && !m.isBind);
  const hasDevpts = mounts.some((m) => m.destination === '/dev/pts' && m.fstype === 'devpts');
  const propagation = MS.rec | (ROOTFS_PROPAGATION[linux.rootfsPropagation ?? 'private'] ?? MS.private);
  const user = process.user;
  const keepsGroups = idMaps?.writer.method === 'direct' && idMaps.writer.denySetgroups;
  return {
    namespaces, idMaps, joinNamespaces: joined.length === 0 ? undefined : joined,
    rootfs: { path: posix.resolve(context.bundle, root.path), propagation, isReadonly: root.readonly === true },
    ensureDirs: [],
    ...devicePlan(linux.devices ?? [], ownsDev, hasUserns || isUsernsJoined, mounts),
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
    cwd: process.cwd, args: process.args ?? [], env: process.env ?? [],
  };
}
