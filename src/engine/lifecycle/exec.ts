/**
 * `exec`: a new process in a running container. The shim joins the
 * namespaces of the container's first process (so the same ID map) and its
 * cgroup, and runs the process with the container's capabilities, limits and
 * environment unless told otherwise (-u, -e, -w, -t).
 */
import { mergeEnv, resolveUser } from '../../spec/index.ts';
import { buildExecPlan, type OciProcess } from '../../runtime/index.ts';
import { spawnShim, type LaunchedContainer } from '../../launch/index.ts';
import type { ContainerRecord, StateDb } from '../state/index.ts';
import { invalidState } from './errors.ts';
import { containerConfig } from './start.ts';
import type { LifecycleContext } from './context.ts';

export interface ExecOptions {
  readonly cmd: readonly string[];
  /** `user[:group]` inside, names or numbers. @default the container's user */
  readonly user?: string | undefined;
  /** KEY=VALUE entries added to the container's environment. */
  readonly env?: readonly string[] | undefined;
  /** Working directory inside. @default the container's */
  readonly cwd?: string | undefined;
  /** Read this process's stdin. @default false */
  readonly isInteractive?: boolean | undefined;
  /** A pty, relayed to this process's terminal. @default false */
  readonly hasTerminal?: boolean | undefined;
  /** Put the caller's terminal in raw mode while relaying. @default false */
  readonly isHostTerminalRaw?: boolean | undefined;
}

/**
 * Resolves once the process runs; its `exited` settles when it ends.
 * @throws ContainerError ISOLA_CONTAINER_INVALID_STATE unless the container runs; ShimError
 */
export async function execInContainer(ctx: LifecycleContext, db: StateDb, record: ContainerRecord, options: ExecOptions): Promise<LaunchedContainer> {
  if (record.state !== 'running' || record.process === undefined) {
    throw invalidState(record.name, record.state, 'exec in', 'start it first');
  }
  const { config } = await containerConfig(ctx, db, record, false);
  const base = config.process!;
  // Its own /etc/passwd, as it sees it: a container from layers has no rootfs directory on the host.
  const user = options.user === undefined ? undefined : await resolveUser(`/proc/${record.process.pid}/root`, options.user);
  const process: OciProcess = {
    ...base, args: options.cmd, terminal: options.hasTerminal === true,
    env: mergeEnv(base.env ?? [], options.env ?? []), cwd: options.cwd ?? base.cwd,
    user: user === undefined ? base.user : { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
  };
  const plan = await buildExecPlan({
    config, process, pid: record.process.pid, cgroupProcs: record.cgroupDirs.map((dir) => `${dir}/cgroup.procs`),
  });
  return spawnShim({
    shimPath: ctx.settings.shimPath, isInteractive: options.isInteractive === true,
    plan: { ...plan, terminal: plan.terminal === undefined ? undefined : { ...plan.terminal, isHostRaw: options.isHostTerminalRaw === true } },
  });
}
