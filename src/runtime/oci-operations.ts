/**
 * The OCI runtime's other commands: state, list, ps, pause, resume, exec and
 * run (create + start + wait + delete, with the shim staying the parent).
 */
import { resolve } from 'node:path';
import { spawnShim, type ExitStatus, type LaunchedContainer } from '../launch/index.ts';
import type { OciConfig, OciProcess, OciResources } from './oci-config.ts';
import { IsolaError } from '../errors/index.ts';
import { createFsCgroupHost, openCgroupDriver, updateCgroupLimits } from '../cgroups/index.ts';
import { cgroupLimitsFromResources } from './cgroup-request.ts';
import {
  deriveStatus, InvalidStateError, listIds, readRecord, toOciState, type ContainerRecord, type ContainerStatus,
} from './container-state.ts';
import { buildExecPlan } from './exec-plan.ts';
import { checkPreservedFds } from './preserved-fds.ts';
import { setFrozen } from './freezer.ts';
import { createContainer, startContainer, type CreateOptions, type OciRuntime } from './oci-create.ts';
import { removeContainer } from './oci-delete.ts';

export type ContainerStateDocument = ReturnType<typeof toOciState>;

export async function containerState(runtime: OciRuntime, id: string): Promise<ContainerStateDocument> {
  const record = await readRecord(runtime.root, id);
  return toOciState(record, await deriveStatus(runtime.root, record));
}

/** The config the container was created from. */
export async function containerConfig(runtime: OciRuntime, id: string): Promise<OciConfig> {
  return (await readRecord(runtime.root, id)).config;
}

export interface ContainerListEntry {
  readonly state: ContainerStateDocument;
  readonly created: string;
  readonly owner: number;
}

export async function listContainers(runtime: OciRuntime): Promise<ContainerListEntry[]> {
  const entries: ContainerListEntry[] = [];
  for (const id of await listIds(runtime.root)) {
    // A directory without state is a create in progress or a leftover: not a container.
    const record = await readRecord(runtime.root, id).catch(() => undefined);
    if (record === undefined) continue;
    entries.push({ state: toOciState(record, await deriveStatus(runtime.root, record)), created: record.created, owner: record.owner });
  }
  return entries;
}

async function recordIn(runtime: OciRuntime, id: string, allowed: readonly ContainerStatus[], operation: string): Promise<ContainerRecord> {
  const record = await readRecord(runtime.root, id);
  const status = await deriveStatus(runtime.root, record);
  if (!allowed.includes(status)) throw new InvalidStateError(id, status, operation);
  return record;
}

export async function pauseContainer(runtime: OciRuntime, id: string): Promise<void> {
  const record = await recordIn(runtime, id, ['running', 'created'], 'pause');
  await setFrozen(record.cgroup?.dirs ?? [], true, id);
}

export async function resumeContainer(runtime: OciRuntime, id: string): Promise<void> {
  const record = await recordIn(runtime, id, ['paused'], 'resume');
  await setFrozen(record.cgroup?.dirs ?? [], false, id);
}

/**
 * New pids, memory and cpu limits for the container's cgroup.
 * @throws InvalidStateError for a stopped container, IsolaError
 *   ISOLA_RUNTIME_NO_CGROUP, CgroupError, ISOLA_RUNTIME_UNSUPPORTED for other resources
 */
export async function updateContainer(runtime: OciRuntime, id: string, resources: OciResources): Promise<void> {
  const record = await recordIn(runtime, id, ['created', 'running', 'paused'], 'update');
  const limits = cgroupLimitsFromResources(resources);
  if (record.cgroup === undefined) {
    throw new IsolaError('ISOLA_RUNTIME_NO_CGROUP', `container ${id} has no cgroup to update`,
      { hint: 'give the container a linux.cgroupsPath or limits when it is created' });
  }
  const driver = await (runtime.cgroups ?? openCgroupDriver());
  await updateCgroupLimits(createFsCgroupHost(), driver.layout, record.cgroup.dirs, limits);
}

export interface ExecOptions {
  readonly process: OciProcess;
  readonly pidFile?: string | undefined;
  readonly consoleSocket?: string | undefined;
  /** The shim exits once the process runs; else it relays and reports the exit. */
  readonly isDetached: boolean;
  /** The caller's fds 3..3+N-1 that the process gets as the same numbers. @default 0 */
  readonly preserveFds?: number | undefined;
}

/**
 * A new process in a running (or created) container.
 * @throws InvalidStateError for a stopped container, ShimError
 */
export async function execInContainer(runtime: OciRuntime, id: string, options: ExecOptions): Promise<LaunchedContainer> {
  const record = await recordIn(runtime, id, ['running', 'created'], 'exec in');
  await checkPreservedFds(options.preserveFds ?? 0);
  const plan = await buildExecPlan({ config: record.config, process: options.process, pid: record.pid, cgroupProcs: record.cgroup?.procsFiles ?? [] });
  return spawnShim({
    shimPath: runtime.shimPath, isInteractive: true,
    plan: {
      ...plan, detach: options.isDetached ? 'exit' : undefined,
      terminal: plan.terminal === undefined ? undefined : { ...plan.terminal, isHostRaw: options.consoleSocket === undefined },
      pidFile: options.pidFile === undefined ? undefined : resolve(options.pidFile),
      consoleSocket: options.consoleSocket === undefined ? undefined : resolve(options.consoleSocket),
      preservedFds: options.preserveFds,
    },
  });
}

export interface RunningBundle {
  readonly record: ContainerRecord;
  /** Sends a signal to the container's init (through the shim). */
  signal(signal: NodeJS.Signals): void;
  /** The container's exit, once it is deleted. */
  readonly exited: Promise<ExitStatus>;
}

/**
 * create + start with the shim staying the init's parent, so its exit
 * status is known; the container is deleted once it exits.
 */
export async function runBundle(runtime: OciRuntime, options: Omit<CreateOptions, 'detach'>): Promise<RunningBundle> {
  const { record, launched, isStarted } = await createContainer(runtime, { ...options, detach: 'stay', isStartedAtOnce: true });
  try {
    if (!isStarted) await startContainer(runtime, record.id);
  } catch (error) {
    await removeContainer(runtime, record).catch(() => {});
    throw error;
  }
  const exited = launched.exited.then(async (status) => {
    await removeContainer(runtime, record);
    return status;
  });
  return { record, signal: launched.signal, exited };
}
