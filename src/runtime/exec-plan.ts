/**
 * The LaunchPlan for `exec`: a new process in a running container. It joins
 * every namespace the container's init is in (through /proc/PID/ns, so
 * namespaces the config joined by path are found the same way) and its
 * cgroup, and creates nothing: no rootfs setup, no ID maps.
 */
import { readFileSync } from 'node:fs';
import type { LaunchPlan, NamespaceKind } from '../launch/index.ts';
import type { OciConfig, OciProcess } from './oci-config.ts';
import { namespaceKind, planCapabilities, planRlimits } from './launch-plan-from-config.ts';
import { IsolaError } from '../errors/index.ts';

/** The file name under /proc/PID/ns of each kind. */
const NS_FILE: Readonly<Record<NamespaceKind, string>> = {
  user: 'user', mount: 'mnt', pid: 'pid', uts: 'uts', ipc: 'ipc', net: 'net', cgroup: 'cgroup',
};

export interface ExecPlanInput {
  /** The container's config, for the namespaces it has. */
  readonly config: OciConfig;
  /** The process to run (config.process by default for `exec --process`). */
  readonly process: OciProcess;
  /** Host pid of the container's init. */
  readonly pid: number;
  /** cgroup.procs files of the container's cgroup. */
  readonly cgroupProcs: readonly string[];
}

/** /proc/PID/setgroups, read synchronously: microseconds, where a promise read costs a thread-pool round trip. */
function readSetgroups(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/setgroups`, 'utf8');
  } catch {
    return 'allow';
  }
}

/**
 * @throws IsolaError ISOLA_RUNTIME_INVALID_CONFIG for a process without args
 */
export async function buildExecPlan(input: ExecPlanInput): Promise<LaunchPlan> {
  const { process, pid } = input;
  if ((process.args ?? []).length === 0) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', 'the process to exec has no args', { hint: 'give the command to run' });
  }
  const kinds = (input.config.linux?.namespaces ?? []).map((ns) => namespaceKind(ns.type));
  const joinNamespaces = kinds.map((kind) => ({ kind, path: `/proc/${pid}/ns/${NS_FILE[kind]}` }));
  // A user namespace whose setgroups is denied keeps the groups as they are.
  const setgroups = kinds.includes('user') ? readSetgroups(pid) : 'allow';
  const user = process.user;
  return {
    namespaces: [], joinNamespaces, cgroupProcs: input.cgroupProcs,
    ensureDirs: [], mounts: [], symlinks: [], maskedPaths: [], readonlyPaths: [],
    isLoopbackUp: false, rlimits: planRlimits(process), oomScoreAdj: process.oomScoreAdj, hasNewSession: true,
    terminal: process.terminal === true
      ? { rows: process.consoleSize?.height ?? 0, cols: process.consoleSize?.width ?? 0, isHostRaw: false }
      : undefined,
    user: { uid: user.uid, gid: user.gid, umask: user.umask ?? 0o022 },
    additionalGids: setgroups.trim() === 'deny' ? undefined : user.additionalGids ?? [],
    capabilities: planCapabilities(process), noNewPrivileges: process.noNewPrivileges === true,
    cwd: process.cwd, args: process.args ?? [], env: process.env ?? [],
  };
}
