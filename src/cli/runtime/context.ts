/** What every isola-runtime command gets: the state root and a lazily opened runtime. */
import { locateShim, readHostContext, type CgroupManager, type OciRuntime } from '../../runtime/index.ts';

export interface RuntimeCliContext {
  readonly root: string;
  readonly cgroupManager: CgroupManager;
  /** Prints a failure the runtime logs and goes on from (stderr, and the log file). */
  readonly onWarning: (error: unknown) => void;
  /** Reads the host context and finds the shim; commands that only read state skip it. */
  readonly runtime: () => Promise<OciRuntime>;
  /** This program with the same global flags, for a command to be appended (a takeover's failure command). */
  readonly reentry: readonly string[];
}

export type RuntimeCommand = (argv: readonly string[], context: RuntimeCliContext) => Promise<number>;

export async function openRuntime(root: string, cgroupManager: CgroupManager, onWarning: (error: unknown) => void): Promise<OciRuntime> {
  const [shimPath, host] = await Promise.all([locateShim(), readHostContext(process.env['PATH'] ?? '')]);
  return { root, shimPath, host, cgroupManager, onWarning };
}

/** A runtime for commands that never start a process: no host probing. */
export function stateOnlyRuntime(context: RuntimeCliContext): OciRuntime {
  return {
    root: context.root, shimPath: '', cgroupManager: context.cgroupManager, onWarning: context.onWarning,
    host: { isPrivileged: false, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, userName: '', subuids: [], subgids: [], idMapHelpers: undefined },
  };
}
