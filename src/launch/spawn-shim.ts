/**
 * Runs the shim for one launch plan: sends the plan on fd 3, reads its
 * reports, and hands back the running container. The shim runs in a session
 * of its own, so the terminal's signals reach the container only through
 * `signal()`, once.
 */
import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { IsolaError } from '../errors/index.ts';
import { decodeShimMessage, MESSAGE_BYTES, MESSAGE_TYPE, type ShimMessage } from './messages.ts';
import { explainFailure, type ShimError } from './shim-error.ts';
import { encodeLaunchPlan } from './plan-encode.ts';
import { prepareSpareShim, takeSpareShim } from './spare-shim.ts';
import type { LaunchPlan } from './launch-plan.ts';

export interface ExitStatus {
  /** Exit code, or undefined when killed by a signal. */
  readonly code: number | undefined;
  /** Signal number that killed the process, or undefined. */
  readonly signal: number | undefined;
}

export interface LaunchedContainer {
  /** Host pid of the container's first process. */
  readonly pid: number;
  /** Host pid of the shim that monitors it. */
  readonly shimPid: number;
  /**
   * Resolves when the container's first process has exited; for a plan with
   * `detach`, when the shim has (its status then says nothing of the process).
   */
  readonly exited: Promise<ExitStatus>;
  /** Sends a signal to the container's first process (through the shim). */
  signal(signal: NodeJS.Signals): void;
}

export interface SpawnShimOptions {
  readonly shimPath: string;
  readonly plan: LaunchPlan;
  /** Whether the container reads this process's stdin (else /dev/null). */
  readonly isInteractive: boolean;
  /** Lets the caller replace the generic hint of a failed step. */
  readonly diagnose?: ((error: ShimError) => Promise<string | undefined>) | undefined;
  /**
   * Once the container exits, spawn a shim for the next launch ahead of its
   * plan (spare-shim.ts): for a process that launches many. @default false
   */
  readonly keepsSpare?: boolean | undefined;
}

function readMessages(socket: Duplex, onMessage: (m: ShimMessage) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= MESSAGE_BYTES) {
      onMessage(decodeShimMessage(pending.subarray(0, MESSAGE_BYTES)));
      pending = pending.subarray(MESSAGE_BYTES);
    }
  });
  socket.on('error', () => {}); // the exit event reports what matters
}

function waitStatusToExit(raw: number): ExitStatus {
  const signal = raw & 0x7f;
  return signal === 0 ? { code: (raw >> 8) & 0xff, signal: undefined } : { code: undefined, signal };
}

export async function spawnShim(options: SpawnShimOptions): Promise<LaunchedContainer> {
  const planBytes = encodeLaunchPlan(options.plan);
  const isDetached = options.plan.monitor !== undefined;
  // A detached container's monitor keeps none of the caller's stdio: the
  // caller may exit (or be read to EOF by its own caller) while it runs.
  // The caller's fds 3..3+N-1 go to the shim one higher: its fd 3 is the report socket.
  const preserved = Array.from({ length: options.plan.preservedFds ?? 0 }, (_, i) => 3 + i);
  if (options.plan.takeover !== undefined) throw new TypeError('a takeover plan is for execShim');
  let pid = 0;
  let resolveExit: (status: ExitStatus) => void = () => {};
  const exited = new Promise<ExitStatus>((resolve) => { resolveExit = resolve; });
  const hasPlainStdio = !isDetached && !options.isInteractive && preserved.length === 0;
  // Loaded here: a takeover (exec-shim.ts) never needs child_process and net.
  const { spawn } = await import('node:child_process');
  const child: ChildProcess = (hasPlainStdio ? takeSpareShim(options.shimPath) : undefined) ?? spawn(options.shimPath, [], {
    stdio: isDetached ? ['ignore', 'ignore', 'ignore', 'pipe', ...preserved]
      : [options.isInteractive ? 'inherit' : 'ignore', 'inherit', 'inherit', 'pipe', ...preserved],
    detached: true,
  });
  // After the exit, not meanwhile: spawning blocks this thread until the exec.
  if (hasPlainStdio && options.keepsSpare === true) void exited.finally(() => setImmediate(() => void prepareSpareShim(options.shimPath)));
  const socket = child.stdio[3] as Duplex;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(planBytes.length, 0);
  socket.write(Buffer.concat([length, planBytes]));

  return new Promise<LaunchedContainer>((resolve, reject) => {
    let isSettled = false;
    let failure: Promise<ShimError> | undefined;
    const settleFailure = (error: Error): void => {
      if (isSettled) return;
      isSettled = true;
      reject(error);
    };
    readMessages(socket, (message) => {
      if (message.type === MESSAGE_TYPE.childPid) pid = message.value;
      else if (message.type === MESSAGE_TYPE.exited) resolveExit(waitStatusToExit(message.value));
      else if (message.type === MESSAGE_TYPE.failed) failure = explainFailure(message, options.diagnose);
      // A plan with an exec fifo resolves once created; without, once executed.
      else if ((message.type === MESSAGE_TYPE.started || message.type === MESSAGE_TYPE.created) && !isSettled) {
        isSettled = true;
        if (isDetached) {
          // The monitor outlives this process: nothing here may keep it waiting.
          socket.destroy();
          child.unref();
        }
        resolve({
          pid, shimPid: child.pid ?? 0, exited,
          signal: (signal) => { child.kill(signal); },
        });
      }
    });
    child.on('error', (error) => settleFailure(new IsolaError('ISOLA_LAUNCH_SHIM_MISSING',
      `cannot run the shim ${options.shimPath}: ${error.message}`, { hint: 'run `npm install` to build it', cause: error })));
    // All reports have been read once the socket closes, which may come
    // before or after the process's exit event: act when both happened.
    let exitText: string | undefined;
    let isSocketClosed = false;
    const settleAfterExit = (): void => {
      if (exitText === undefined || !isSocketClosed) return;
      if (failure !== undefined) void failure.then(settleFailure);
      else settleFailure(new IsolaError('ISOLA_LAUNCH_SHIM_DIED', `the shim exited (${exitText}) before the container started`));
    };
    socket.once('close', () => { isSocketClosed = true; settleAfterExit(); });
    child.on('exit', (code, signal) => {
      // Only reached when the monitor died without reporting the container's
      // exit (an exited report resolved it first): the monitor's own status
      // is the best there is.
      resolveExit({ code: code ?? undefined, signal: signal === null ? undefined : process.getBuiltinModule('node:os').constants.signals[signal] });
      exitText = signal ?? String(code);
      settleAfterExit();
    });
  });
}

