/**
 * `create`, `start` and `run` of the OCI runtime command line. create leaves
 * the init blocked on the exec fifo after all setup; start opens the fifo;
 * run is both plus waiting, then delete. The shim either exits after create
 * (the init is then the subreaper's child, as runc's is) or, for run and
 * monitors, stays its parent.
 */
import { constants, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IsolaError } from '../errors/index.ts';
import { createFsCgroupHost, openCgroupDriver, removeCgroupDirs, requestedControllers, type CgroupDriver, type CgroupLayout } from '../cgroups/index.ts';
import { expandCgroupMount, isCgroupMount } from './cgroup-mount.ts';
import { spawnShim, type DetachMode, type LaunchedContainer, type LaunchPlan, type PlanHook } from '../launch/index.ts';
import { execTakeover } from './run-container.ts';
import type { OciConfig, OciHook } from './oci-config.ts';
import type { HostContext } from './host-context.ts';
import { cgroupLimitsFromResources, hasOwnUserns } from './cgroup-request.ts';
import { writeDeviceRules } from './device-rules.ts';
import { buildLaunchPlan } from './launch-plan-from-config.ts';
import {
  checkContainerId, containerDir, deriveStatus, execFifoPath, InvalidStateError, isRecordedProcessAlive, makeRoot,
  processStartTime, readRecord, toOciState, writeRecord, type ContainerRecord,
} from './container-state.ts';
import { runHooks, runHooksPastFailures } from './hooks.ts';
import { makeV1FreezerDir } from './freezer.ts';
import { checkPreservedFds } from './preserved-fds.ts';
import { removeContainer } from './oci-delete.ts';

export type CgroupManager = 'cgroupfs' | 'systemd' | 'disabled';

export interface OciRuntime {
  /** State directory, e.g. /run/isola-runtime. */
  readonly root: string;
  readonly shimPath: string;
  readonly host: HostContext;
  /** @default 'cgroupfs'; 'systemd' is accepted and its slice:prefix:name paths mapped to cgroupfs ones */
  readonly cgroupManager?: CgroupManager | undefined;
  /** @default the host's driver */
  readonly cgroups?: CgroupDriver | undefined;
  /** Told of failures the spec says to log and go on from (poststart and poststop hooks). */
  readonly onWarning?: ((error: unknown) => void) | undefined;
}

/** Runs hooks whose failure is only logged (poststart, poststop). */
export async function runLoggedHooks(runtime: OciRuntime, hooks: readonly OciHook[] | undefined, kind: 'poststart' | 'poststop',
  state: object): Promise<void> {
  await runHooksPastFailures(hooks, kind, state, (error) => runtime.onWarning?.(error));
}

export interface CreateOptions {
  readonly id: string;
  readonly bundle: string;
  /** @default <bundle>/config.json */
  readonly configPath?: string | undefined;
  readonly pidFile?: string | undefined;
  readonly consoleSocket?: string | undefined;
  /** The caller's fds 3..3+N-1 that the process gets as the same numbers. @default 0 */
  readonly preserveFds?: number | undefined;
  /** 'exit' (runc's create) or 'stay' (the shim monitors the container). @default 'exit' */
  readonly detach?: DetachMode | undefined;
  /**
   * For run: with no prestart or createRuntime hook to run in between,
   * start the process at once (no exec fifo) and monitor it until it exits.
   */
  readonly isStartedAtOnce?: boolean | undefined;
  /**
   * For run, the command line's: where nothing needs this process once the
   * container is gone (no hooks, no cgroup, no preserved fds), it becomes
   * the shim, which removes the container's state when it exits, and
   * createContainer never returns. argv up to `explainTakeoverFailure`'s
   * two arguments, exec'd if the start fails.
   */
  readonly takeoverFailureCommand?: readonly string[] | undefined;
}

let hostCgroups: Promise<CgroupDriver> | undefined;

/** systemd's slice:prefix:name as the cgroupfs path systemd would give it. */
export function cgroupfsPath(path: string, manager: CgroupManager): string {
  const parts = path.split(':');
  if (parts.length !== 3 || manager === 'cgroupfs' && path.startsWith('/')) return path;
  const [slice = '', prefix = '', name = ''] = parts;
  const scope = prefix === '' ? `${name}.scope` : `${prefix}-${name}.scope`;
  return `${slice === '' ? 'system.slice' : slice}/${scope}`;
}

async function readConfig(path: string): Promise<OciConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8'); // synchronous: run's start-up path (see exec-shim.ts)
  } catch (error) {
    throw new IsolaError('ISOLA_RUNTIME_CONFIG_MISSING', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { hint: 'give the bundle directory with --bundle (it must hold config.json)', cause: error });
  }
  try {
    return JSON.parse(text) as OciConfig;
  } catch (error) {
    throw new IsolaError('ISOLA_RUNTIME_INVALID_CONFIG', `${path} is not valid JSON`, { hint: 'fix the file', cause: error });
  }
}

/**
 * The container's cgroup, if it needs one, and the host's layout when a
 * cgroup mount needs it (`hasCgroupMount`).
 */
async function makeCgroup(runtime: OciRuntime, id: string, config: OciConfig, hasCgroupMount: boolean): Promise<{ cgroup: ContainerRecord['cgroup']; layout?: CgroupLayout | undefined }> {
  const manager = runtime.cgroupManager ?? 'cgroupfs';
  const linux = config.linux ?? {};
  const isConfined = hasOwnUserns(config);
  // Nothing asks for a cgroup or the layout: the host's cgroup mounts need not be read (0.3 ms of a run).
  if (manager === 'disabled' || linux.cgroupsPath === undefined && linux.resources === undefined && !hasCgroupMount) {
    cgroupLimitsFromResources(linux.resources, { areDeviceRulesHandled: isConfined });
    return { cgroup: undefined };
  }
  const driver = await (runtime.cgroups ?? (hostCgroups ??= openCgroupDriver()));
  const deviceRules = isConfined ? [] : linux.resources?.devices ?? [];
  const limits = cgroupLimitsFromResources(linux.resources, { areDeviceRulesHandled: isConfined || driver.layout.v1Mounts.has('devices') });
  // As the engine does: without a cgroupsPath, limits or device rules, no
  // cgroup. Moving the init into one waits out an RCU grace period on an
  // idle v1 or hybrid host (~16 ms of a run here); podman and containerd
  // always give a cgroupsPath.
  if (linux.cgroupsPath === undefined && requestedControllers(limits).length === 0 && deviceRules.length === 0) {
    return { cgroup: undefined, layout: driver.layout };
  }
  const path = cgroupfsPath(linux.cgroupsPath ?? `isola-runtime/${id}`, manager);
  const cgroup = await driver.createCgroup({ path, limits });
  const extra: string[] = [];
  try {
    const devices = await writeDeviceRules(driver.layout, path, deviceRules, linux.devices ?? []);
    if (devices !== undefined) extra.push(devices);
    const freezer = await makeV1FreezerDir(driver.layout, path).catch(() => undefined);
    if (freezer !== undefined) extra.push(freezer);
  } catch (error) {
    await cgroup?.remove().catch(() => {});
    await removeCgroupDirs(extra, createFsCgroupHost()).catch(() => {});
    throw error;
  }
  const dirs = [...(cgroup?.dirs ?? []), ...extra];
  const procsFiles = [...(cgroup?.procsFiles ?? []), ...extra.map((d) => `${d}/cgroup.procs`)];
  return { cgroup: dirs.length === 0 ? undefined : { dirs, procsFiles }, layout: driver.layout };
}

/** createContainer and startContainer hooks, for the init to run; the state has its pid filled in there. */
function containerHooks(config: OciConfig, record: ContainerRecord): PlanHook[] {
  const planned = (kind: PlanHook['kind'], hooks: readonly OciHook[] | undefined, status: 'creating' | 'created'): PlanHook[] => {
    if (hooks === undefined || hooks.length === 0) return [];
    const marker = '"pid":-1';
    const text = JSON.stringify({ ...toOciState({ ...record, pid: 1 }, status), pid: -1 });
    const at = text.indexOf(marker);
    return hooks.map((hook) => ({
      kind, timeoutSeconds: hook.timeout ?? 0, path: hook.path, args: hook.args ?? [], env: hook.env ?? [],
      stateBeforePid: `${text.slice(0, at)}"pid":`, stateAfterPid: text.slice(at + marker.length),
    }));
  };
  return [...planned('createContainer', config.hooks?.createContainer, 'creating'),
    ...planned('startContainer', config.hooks?.startContainer, 'created')];
}

/**
 * `run` as runc's, without this process: the shim writes the init's pid
 * where `state` reads it, and removes the state once the container is gone.
 */
function takeOver(runtime: OciRuntime, record: ContainerRecord, plan: LaunchPlan, failureCommand: readonly string[]): never {
  const dir = containerDir(runtime.root, record.id);
  const ownPidFile = plan.pidFile === undefined ? join(dir, 'init.pid') : undefined;
  const pidFile = plan.pidFile ?? ownPidFile!;
  // The record names the pid file before the shim writes it.
  writeRecord(runtime.root, { ...record, pidFile });
  execTakeover(runtime.shimPath, { ...plan, pidFile }, {
    planFile: join(dir, 'plan'), failureCommand,
    removeAtExit: [join(dir, 'state.json'), ...(ownPidFile === undefined ? [] : [ownPidFile]), dir],
  }, true);
}

/** mkdir of the container's state directory, which fails when the id is taken. */
async function claimContainerDir(root: string, id: string): Promise<string> {
  await makeRoot(root);
  const dir = containerDir(root, id);
  try {
    mkdirSync(dir, { mode: 0o711 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new IsolaError('ISOLA_RUNTIME_EXISTS', `container ${id} already exists`, { hint: 'delete it first, or pick another id' });
  }
  return dir;
}

/**
 * Creates the container: cgroup, state, the shim up to the exec fifo, then
 * the prestart and createRuntime hooks. Nothing is left behind on failure.
 * @throws IsolaError ISOLA_RUNTIME_EXISTS, ISOLA_RUNTIME_INVALID_ID, the
 *   config and cgroup errors, ShimError, ISOLA_RUNTIME_HOOK_FAILED
 */
export async function createContainer(runtime: OciRuntime, options: CreateOptions): Promise<{ record: ContainerRecord; launched: LaunchedContainer; isStarted: boolean }> {
  checkContainerId(options.id);
  const bundle = resolve(options.bundle);
  const config = await readConfig(options.configPath ?? `${bundle}/config.json`);
  if (config.process?.terminal === true && options.consoleSocket === undefined && (options.detach ?? 'exit') === 'exit') {
    throw new IsolaError('ISOLA_RUNTIME_CONSOLE_SOCKET_MISSING', 'the process wants a terminal, but there is no --console-socket to send it to',
      { hint: 'pass --console-socket, or set process.terminal to false' });
  }
  await checkPreservedFds(options.preserveFds ?? 0);
  const plan = await buildLaunchPlan(config, { host: runtime.host, bundle, isHostTerminalRaw: true });
  const hasCreateHooks = (config.hooks?.prestart ?? []).length + (config.hooks?.createRuntime ?? []).length > 0;
  const isStarted = options.isStartedAtOnce === true && !hasCreateHooks;
  const dir = await claimContainerDir(runtime.root, options.id);
  let record: ContainerRecord = {
    ociVersion: config.ociVersion ?? '1.3.0', id: options.id, bundle, annotations: config.annotations, pid: 0,
    created: new Date().toISOString(), owner: runtime.host.uid, config,
  };
  try {
    // The record is written once the cgroup is made (the record names it for
    // `delete`), as runc saves its state once the init exists: `state` shows
    // no 'creating' container before that.
    const made = await makeCgroup(runtime, options.id, config, plan.mounts.some(isCgroupMount));
    record = { ...record, cgroup: made.cgroup };
    const mounts = plan.mounts.flatMap((m) => !isCgroupMount(m) ? [m]
      : made.layout === undefined ? [] : expandCgroupMount(m, made.cgroup?.dirs ?? [], made.layout));
    const launchPlan: LaunchPlan = {
      ...plan, mounts, cgroupProcs: record.cgroup?.procsFiles,
      execFifo: isStarted ? undefined : execFifoPath(runtime.root, options.id),
      detach: isStarted ? undefined : options.detach ?? 'exit', pidFile: options.pidFile === undefined ? undefined : resolve(options.pidFile),
      consoleSocket: options.consoleSocket === undefined ? undefined : resolve(options.consoleSocket),
      hooks: containerHooks(config, record), preservedFds: options.preserveFds,
    };
    const hooks = config.hooks ?? {};
    const failureCommand = options.takeoverFailureCommand;
    if (failureCommand !== undefined && isStarted && record.cgroup === undefined && (options.preserveFds ?? 0) === 0
      && [hooks.poststart, hooks.poststop, hooks.startContainer].every((list) => (list ?? []).length === 0)) {
      takeOver(runtime, record, launchPlan, failureCommand);
    }
    writeRecord(runtime.root, record);
    const launched = await spawnShim({ shimPath: runtime.shimPath, isInteractive: true, plan: launchPlan });
    record = { ...record, pid: launched.pid, pidStartTime: await processStartTime(launched.pid) };
    writeRecord(runtime.root, record);
    const state = toOciState(record, 'created');
    await runHooks(config.hooks?.prestart, 'prestart', state);
    await runHooks(config.hooks?.createRuntime, 'createRuntime', state);
    if (isStarted) await runLoggedHooks(runtime, config.hooks?.poststart, 'poststart', toOciState(record, 'running'));
    return { record, launched, isStarted };
  } catch (error) {
    // A container that never was: no poststop hooks.
    await removeContainer(runtime, record, { isPoststopRun: false }).catch(() => {});
    await (await import('node:fs/promises')).rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Lets the created container's process run, then the poststart hooks.
 * @throws InvalidStateError unless it is created
 */
export async function startContainer(runtime: OciRuntime, id: string): Promise<void> {
  const record = await readRecord(runtime.root, id);
  const status = await deriveStatus(runtime.root, record);
  if (status !== 'created') throw new InvalidStateError(id, status, 'start', status === 'stopped' ? 'delete it and create it again' : undefined);
  const fifo = execFifoPath(runtime.root, id);
  // Loaded here, not on run's start-up path: ~2 ms.
  const [{ open, unlink }, { setTimeout: sleep }] = await Promise.all([import('node:fs/promises'), import('node:timers/promises')]);
  // Non-blocking, so a dead init cannot make start wait forever.
  const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const readByte = async (): Promise<boolean> => (await reader.read(Buffer.alloc(1), 0, 1, null).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EAGAIN') return { bytesRead: 0 };
    throw error;
  })).bytesRead === 1;
  try {
    for (;;) {
      if (await readByte()) break;
      // A short-lived process may write its byte, run and exit between the
      // read and this check: its byte is still in the fifo, so look once more.
      if (!await isRecordedProcessAlive(record)) {
        if (await readByte()) break;
        throw new InvalidStateError(id, 'stopped', 'start');
      }
      await sleep(1);
    }
  } finally {
    await reader.close();
    await unlink(fifo).catch(() => {});
  }
  await runLoggedHooks(runtime, record.config.hooks?.poststart, 'poststart', toOciState(record, 'running'));
}

