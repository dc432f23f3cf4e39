/**
 * A foreground container without this process waiting on it: the process
 * execs into the shim (`--plan-file`), which keeps its pid and start time,
 * runs the container, removes what the plan says once it is gone and exits
 * with its status. Spawning the shim instead costs a fork of Node, Node's
 * child_process and net modules, a round trip per report and Node's own
 * exit, about 15 ms of a 85 ms `isola run` (measured on 2 cores).
 */
import { accessSync, constants, writeFileSync } from 'node:fs';
import { IsolaError } from '../errors/index.ts';
import { decodeShimMessage, MESSAGE_BYTES, MESSAGE_TYPE, type ShimMessage } from './messages.ts';
import { encodeLaunchPlan } from './plan-encode.ts';
import type { LaunchPlan, TakeoverPlan } from './launch-plan.ts';

/**
 * process.execve runs no exit handlers: an executable's entry may leave a
 * function under this key for what it does at exit (cli/code-cache.ts trains
 * its code cache).
 */
export const BEFORE_EXEC_KEY = Symbol.for('isola.beforeExec');

export interface ExecShimOptions {
  readonly shimPath: string;
  readonly plan: LaunchPlan;
  readonly takeover: TakeoverPlan;
  /** A new file the plan is handed over in (the shim removes it once read); its directory must exist. */
  readonly planFile: string;
}

/**
 * Becomes the shim. Returns only by throwing, when the shim is missing or the
 * plan file cannot be written (nothing is left then).
 */
export function execShim(options: ExecShimOptions): never {
  if (process.execve === undefined) throw new IsolaError('ISOLA_LAUNCH_NO_EXECVE', 'this Node has no process.execve', { hint: 'run isola on Node 24' });
  // A failed execve aborts Node (no exception comes back): what can fail is checked first.
  try {
    accessSync(options.shimPath, constants.X_OK);
  } catch (error) {
    throw new IsolaError('ISOLA_LAUNCH_SHIM_MISSING', `cannot run the shim ${options.shimPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { hint: 'run `npm install` to build it', cause: error });
  }
  const bytes = encodeLaunchPlan({ ...options.plan, takeover: options.takeover });
  // Synchronous: nothing else may run in between, and this process ends here.
  writeFileSync(options.planFile, bytes, { mode: 0o600, flag: 'wx' });
  const beforeExec = (globalThis as Record<symbol, unknown>)[BEFORE_EXEC_KEY];
  if (typeof beforeExec === 'function') beforeExec();
  process.execve(options.shimPath, [options.shimPath, '--plan-file', options.planFile], process.env);
  throw new Error('process.execve returned'); // it does not: it replaces this process or aborts it
}

/** The failure report a takeover's shim hands its failure command (explainFailure makes it a ShimError). */
export function decodeTakeoverFailure(hex: string): ShimMessage {
  const bytes = /^[0-9a-f]*$/.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0);
  if (bytes.length !== MESSAGE_BYTES || bytes.readUInt32LE(0) !== MESSAGE_TYPE.failed) {
    throw new IsolaError('ISOLA_LAUNCH_BAD_REPORT', 'the failure report handed over by the shim is malformed',
      { hint: 'this command is run by the shim, not by hand' });
  }
  return decodeShimMessage(bytes);
}
