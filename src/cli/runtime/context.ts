/** What every isola-runtime command gets: the state root and a lazily opened runtime. */
import { locateShim, readHostContext, type CgroupManager, type OciRuntime } from '../../runtime/index.ts';

export interface RuntimeCliContext {
  readonly root: string;
  readonly cgroupManager: CgroupManager;
  /** Reads the host context and finds the shim; commands that only read state skip it. */
  readonly runtime: () => Promise<OciRuntime>;
}

export type RuntimeCommand = (argv: readonly string[], context: RuntimeCliContext) => Promise<number>;

export async function openRuntime(root: string, cgroupManager: CgroupManager): Promise<OciRuntime> {
  const [shimPath, host] = await Promise.all([locateShim(), readHostContext(process.env['PATH'] ?? '')]);
  return { root, shimPath, host, cgroupManager };
}

/** A runtime for commands that never start a process: no host probing. */
export function stateOnlyRuntime(context: RuntimeCliContext): OciRuntime {
  return {
    root: context.root, shimPath: '', cgroupManager: context.cgroupManager,
    host: { isPrivileged: false, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, userName: '', subuids: [], subgids: [], idMapHelpers: undefined },
  };
}
