/**
 * Runs one container from its OCI config: plan, cgroup, launch, and a failure
 * diagnosis that names the part of the config behind a failed step. The
 * cgroup exists before the shim starts and goes away when the container
 * exits or fails to start.
 */
import { dirname } from 'node:path';
import { openCgroupDriver, requestedControllers, type CgroupDriver, type ContainerCgroup } from '../cgroups/index.ts';
import {
  decodeTakeoverFailure, execShim, explainFailure, spawnShim, type LaunchedContainer, type LaunchPlan, type MonitorPlan, type ShimError,
} from '../launch/index.ts';
import type { OciConfig } from './oci-config.ts';
import { cgroupRequestFromConfig } from './cgroup-request.ts';
import { buildLaunchPlan, type PlanContext } from './launch-plan-from-config.ts';

export interface RunContainerOptions extends PlanContext {
  readonly shimPath: string;
  /** Whether the container reads the caller's stdin. */
  readonly isInteractive: boolean;
  /** The host's cgroups. @default the driver for this host, detected once per process */
  readonly cgroups?: CgroupDriver | undefined;
  /**
   * Detaches the container: the shim stays as its monitor after this process
   * exits, and its cgroup stays until the caller removes it (see cgroupDirs).
   */
  readonly monitor?: MonitorPlan | undefined;
  /** Called with the cgroup's directories once it exists, before the shim runs. */
  readonly onCgroupCreated?: ((dirs: readonly string[]) => void) | undefined;
  /**
   * A foreground run that needs nothing of this process once the container
   * is gone: this process becomes the shim (launch/exec-shim.ts), and
   * runContainer never returns. Not for a container with a cgroup (removing
   * it is this process's work), a monitor or preserved fds: those spawn it.
   */
  readonly takeover?: RunTakeover | undefined;
  /** Keep a shim ready for the next launch (launch/spare-shim.ts). @default false */
  readonly keepsSpareShim?: boolean | undefined;
}

export interface RunTakeover {
  /** A new file to hand the plan over in; its directory exists. */
  readonly planFile: string;
  /** What the shim removes, in order, once the container is gone or failed to start. */
  readonly removeAtExit: readonly string[];
  /**
   * argv up to the arguments of `explainTakeoverFailure`: exec'd when the
   * launch fails, then given the plan's diagnosis context and the report.
   */
  readonly failureCommand: readonly string[];
  /** Runs right before the exec (a CLI prints its notes). */
  readonly beforeExec?: (() => void) | undefined;
}

export interface StartedContainer extends LaunchedContainer {
  /** The container's cgroup directories (none without a cgroup). */
  readonly cgroupDirs: readonly string[];
}

let hostCgroups: Promise<CgroupDriver> | undefined;
let unnamedCount = 0;

/** A unique cgroup path for a config without linux.cgroupsPath. */
function unnamedCgroupPath(): string {
  return `isola/unnamed-${process.pid}-${Date.now()}-${unnamedCount++}`;
}

/** Steps the shim takes after it may have loaded the seccomp filter. */
const STEPS_UNDER_SECCOMP: ReadonlySet<string> = new Set(['drop-bounding-set', 'set-groups', 'set-gid', 'set-uid', 'set-capabilities',
  'set-ambient', 'no-new-privs', 'chdir', 'close-fds', 'exec']);

/**
 * A bind source the container's ids cannot reach sits, most often, under a
 * directory only its owner may search (a 0700 home or runroot parent): name it.
 */
async function unreachableSourceHint(source: string): Promise<string> {
  const ancestors: string[] = [];
  for (let dir = dirname(source); dir !== dirname(dir); dir = dirname(dir)) ancestors.unshift(dir);
  // Only on a failure: node:fs/promises costs ~2 ms to load on the start-up path.
  const { stat } = await import('node:fs/promises');
  for (const dir of ancestors) {
    const mode = await stat(dir).then((s) => s.mode, () => undefined);
    if (mode !== undefined && (mode & 0o001) === 0) {
      return `the container's ids cannot search ${dir} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}) on the way to ${source}: `
        + 'allow others to search it (chmod o+x), or keep the source (and --runroot) under a directory they can reach';
    }
  }
  return `the container's ids cannot reach ${source}: check its permissions`;
}

/** What diagnose reads of a plan: all a takeover's failure command is given of it. */
type DiagnosisContext = Pick<LaunchPlan, 'namespaces'> & { readonly seccomp?: Pick<NonNullable<LaunchPlan['seccomp']>, 'phase'> | undefined };

/** A hint from what the plan says about the failing step, when it says more than errno. */
async function diagnose(error: ShimError, plan: DiagnosisContext): Promise<string | undefined> {
  const isMapWrite = error.step === 'write-uid-map' || error.step === 'write-gid-map';
  if (isMapWrite && error.errnoName === 'EPERM') return 'only ids the caller may map can be written: check the map against /etc/subuid and /etc/subgid';
  if (error.step === 'mount' && error.path === '/sys' && plan.namespaces.includes('user') && !plan.namespaces.includes('net')) {
    return 'sysfs can be mounted in a user namespace only with its own network namespace';
  }
  // A bind source or an overlay's layers (rootless: under ~/.local/share).
  const isReach = error.step === 'bind-mount' || error.step === 'mount-overlay';
  if (isReach && error.errnoName === 'EACCES' && error.path !== undefined) return unreachableSourceHint(error.path);
  if (error.step === 'precreate-target' && error.errnoName === 'EACCES') {
    return `the mount target ${error.path} is missing in the rootfs and cannot be created there: create it in the rootfs`;
  }
  if (error.step === 'create-mount-target' && error.errnoName === 'EROFS') return 'a mount target is missing in a read-only rootfs: create it in the image';
  if (plan.seccomp !== undefined && STEPS_UNDER_SECCOMP.has(error.step) && (error.errnoName === 'EPERM' || error.errnoName === 'ENOSYS')) {
    return plan.seccomp.phase === 'before-identity'
      ? 'the seccomp profile is loaded before the ids change (no noNewPrivileges): it must allow prctl, setgroups, setresgid, setresuid, capset, chdir, close_range, rt_sigaction and execve, or set noNewPrivileges'
      : 'the seccomp profile denies a call the process starts with: allow execve';
  }
  if (error.step === 'make-cwd') {
    if (error.errnoName === 'ENOENT') return `a symlink in the working directory ${error.path} leads to a path missing in the rootfs: give a directory without it`;
    if (error.errnoName === 'EROFS') return `the working directory ${error.path} is missing under a read-only mount: create it there, or choose another`;
    return `the working directory ${error.path} is missing and cannot be made: create it in the rootfs, or choose another`;
  }
  if (error.step === 'join-cgroup') return `the container's cgroup refused its first process: check ${error.path} and the limits of its parents`;
  return undefined;
}

/**
 * Becomes the shim for a plan (launch/exec-shim.ts), with what explains a
 * failed start in the failure command. Returns only by throwing.
 */
export function execTakeover(shimPath: string, plan: LaunchPlan, takeover: RunTakeover, isInteractive: boolean): never {
  const context: DiagnosisContext = { namespaces: plan.namespaces, seccomp: plan.seccomp && { phase: plan.seccomp.phase } };
  takeover.beforeExec?.();
  return execShim({
    shimPath, plan, planFile: takeover.planFile,
    takeover: {
      removeAtExit: takeover.removeAtExit, isStdinNull: !isInteractive,
      failureCommand: [...takeover.failureCommand, JSON.stringify(context)],
    },
  });
}

/** The container's exit, once its cgroup is gone; a cgroup that cannot be removed rejects it. */
async function removeAfterExit(launched: LaunchedContainer, cgroup: ContainerCgroup | undefined): Promise<Awaited<LaunchedContainer['exited']>> {
  const status = await launched.exited;
  await cgroup?.remove();
  return status;
}

/**
 * @throws IsolaError for a config it cannot run, CgroupError when the
 *   cgroup cannot be made (ISOLA_CGROUP_CONTROLLER_MISSING, ...), ShimError
 *   for a failed setup step; in every case nothing is left behind.
 */
export async function runContainer(config: OciConfig, options: RunContainerOptions): Promise<StartedContainer> {
  const request = cgroupRequestFromConfig(config, unnamedCgroupPath());
  const plan = await buildLaunchPlan(config, options);
  // Only a container with limits gets a cgroup: moving a process into a
  // cgroup takes the kernel's global cgroup_threadgroup_rwsem for writing,
  // which on an idle v1 or hybrid host waits out an RCU grace period
  // (measured here: 17 ms of a 31 ms start).
  // A detached container always gets one: stop, top and stats find its processes there.
  const cgroup = requestedControllers(request.limits).length === 0 && options.monitor === undefined ? undefined
    // Made before the shim so the init joins it before it runs anything.
    : await (await (options.cgroups ?? (hostCgroups ??= openCgroupDriver()))).createCgroup(request);
  if (cgroup !== undefined) options.onCgroupCreated?.(cgroup.dirs);
  const launchPlan: LaunchPlan = {
    ...plan, cgroupProcs: cgroup?.procsFiles, monitor: options.monitor,
    // The monitor stays the container's parent, and its reports may go unread once this process exits.
    detach: options.monitor === undefined ? plan.detach : 'stay',
  };
  const { takeover } = options;
  if (takeover !== undefined && cgroup === undefined && options.monitor === undefined && (plan.preservedFds ?? 0) === 0) {
    execTakeover(options.shimPath, launchPlan, takeover, options.isInteractive);
  }
  let launched: LaunchedContainer;
  try {
    launched = await spawnShim({
      shimPath: options.shimPath, plan: launchPlan, isInteractive: options.isInteractive,
      diagnose: (error) => diagnose(error, launchPlan), keepsSpare: options.keepsSpareShim,
    });
  } catch (error) {
    // The shim has reaped the init; the failure to start matters more than one in cleaning up.
    await cgroup?.remove().catch(() => {});
    throw error;
  }
  const cgroupDirs = cgroup?.dirs ?? [];
  // A detached container's cgroup outlives this process: the engine removes it.
  if (options.monitor !== undefined) return { ...launched, cgroupDirs };
  return { ...launched, cgroupDirs, exited: removeAfterExit(launched, cgroup) };
}

/**
 * In a takeover's failure command: the failure the shim handed over, with the
 * hint spawnShim's caller would have given.
 * @param context what runContainer put in the failure command
 * @param report the hex report the shim appended
 */
export async function explainTakeoverFailure(context: string, report: string): Promise<ShimError> {
  const message = decodeTakeoverFailure(report);
  let plan: DiagnosisContext;
  try {
    plan = JSON.parse(context) as DiagnosisContext;
  } catch {
    plan = { namespaces: [] };
  }
  return explainFailure(message, (error) => diagnose(error, plan));
}
