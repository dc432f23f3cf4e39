/**
 * The hard rlimits this process cannot exceed. Root may lack
 * CAP_SYS_RESOURCE (it does on some hosts), and then, like an ordinary user,
 * cannot raise a hard limit: defaults above these are lowered to them.
 */
import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '../errors/index.ts';
import { isInitialUserNamespace } from '../runtime/index.ts';
import { rlimitResource } from '../security/index.ts';
import type { UlimitOption } from '../spec/index.ts';

const CAP_SYS_RESOURCE = 24n;

/** /proc/self/limits names to OCI rlimit types. */
const LIMIT_NAMES: Readonly<Record<string, string>> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

export function parseProcLimits(text: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const name = line.slice(0, 26).trim();
    const hard = line.slice(47, 68).trim();
    const type = LIMIT_NAMES[name];
    if (type !== undefined && hard !== '' && hard !== 'unlimited') limits[type] = Number(hard);
  }
  return limits;
}

/** Hard limits that bind this process, or undefined when it may raise them. */
export async function readBindingHardLimits(): Promise<Record<string, number> | undefined> {
  // Synchronous: /proc reads take microseconds; see host-context.ts.
  const status = readFileSync('/proc/self/status', 'utf8');
  const isInitialNs = await isInitialUserNamespace();
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  if (isInitialNs && ((BigInt(`0x${capEff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n) return undefined;
  return parseProcLimits(limits);
}

/**
 * An explicit --ulimit above a hard limit this process cannot raise would
 * fail in the shim; say so before anything exists.
 */
export function checkUlimitsWithinHost(ulimits: readonly UlimitOption[], hardLimits: Readonly<Record<string, number>> | undefined): void {
  if (hardLimits === undefined) return;
  for (const ulimit of ulimits) {
    const type = rlimitResource(ulimit.name).type;
    const limit = hardLimits[type];
    if (limit !== undefined && ulimit.hard > limit) {
      throw new InvalidOptionError('--ulimit', `a hard ${ulimit.name} limit of at most ${limit}`, `${ulimit.name}=${ulimit.soft}:${ulimit.hard}`,
        { hint: 'isola cannot raise a hard limit here (no CAP_SYS_RESOURCE, or rootless): lower it' });
    }
  }
}
