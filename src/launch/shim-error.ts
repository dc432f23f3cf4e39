/**
 * A failed setup step reported by the shim, rebuilt with the same errno on
 * this side of the pipe, plus a hint chosen from what the step and errno say.
 */
import { errnoName, IsolaError } from '../errors/index.ts';
import { stepName, type ShimStep } from './steps.ts';
import type { ShimMessage } from './messages.ts';

export class ShimError extends IsolaError {
  readonly step: ShimStep | 'unknown';
  /** The object of the failing step: a path, or a helper's own message. */
  readonly path: string;
  readonly errno: number;
  readonly errnoName: string;
  /** Position of the failing record in the launch plan. */
  readonly planIndex: number;

  constructor(message: ShimMessage, hint?: string) {
    const step = stepName(message.step);
    const name = errnoName(message.errno);
    const detail = message.detail.trim() + (message.isTruncated ? '...' : '');
    super('ISOLA_LAUNCH_STEP_FAILED', `${step} failed for ${JSON.stringify(detail)}: ${name}`, { hint });
    this.name = 'ShimError';
    this.step = step;
    this.path = detail;
    this.errno = message.errno;
    this.errnoName = name;
    this.planIndex = message.index;
  }
}

/** Generic hints for step + errno; the runtime may replace them with better ones. */
export function hintFor(step: ShimStep | 'unknown', errno: string): string | undefined {
  if (step === 'exec' && errno === 'ENOENT') return 'the command was not found in the container: check its path or PATH';
  if (step === 'exec' && errno === 'EACCES') return 'the command is not executable by the container user';
  if (step === 'chdir') return 'the working directory (-w) must be a directory the container user can search';
  if (step === 'clone' && errno === 'EPERM') return 'creating namespaces was refused: check /proc/sys/user/max_user_namespaces and any seccomp or LSM policy';
  if (step === 'clone' && errno === 'ENOSPC') return 'too many namespaces: raise /proc/sys/user/max_user_namespaces';
  if (step === 'run-newuidmap' || step === 'run-newgidmap') return 'check /etc/subuid and /etc/subgid for the calling user, and that newuidmap/newgidmap are setuid root';
  if (step === 'set-rlimit' && errno === 'EPERM') return 'a hard limit cannot be raised without CAP_SYS_RESOURCE: lower the --ulimit';
  return undefined;
}

/** A failure report as a ShimError, with the caller's hint for it or else the generic one. */
export async function explainFailure(message: ShimMessage, diagnose?: (error: ShimError) => Promise<string | undefined>): Promise<ShimError> {
  const generic = new ShimError(message);
  const hint = (await diagnose?.(generic)) ?? hintFor(generic.step, generic.errnoName);
  return new ShimError(message, hint);
}
