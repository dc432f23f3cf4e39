/**
 * A container started through the CLI and left running while the test looks
 * at its cgroup from the host. The container prints its /proc/self/cgroup
 * (no cgroup namespace, so these are host paths) and a `ready` line; the
 * host paths of its cgroup directories follow from the host's layout.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFsCgroupHost, detectCgroupLayout, parseProcCgroup, type CgroupController } from '../../../src/cgroups/index.ts';
import { ensureHostRootfs } from '../../fixtures/host-rootfs.ts';
import { isolaBin } from '../../helpers/run-cli.ts';
import type { TempDirs } from '../../helpers/temp-dirs.ts';

export const MAP = ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'];

/** Prefix for a container's script: TERM ends it, then its cgroup paths and `ready` go to stdout. */
export const ANNOUNCE = 'trap "exit 0" TERM; cat /proc/self/cgroup; echo ready';

export interface LiveContainer {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout matches, rejects after `timeoutMs` or when the container exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM to isola, forwarded to the container's pid 1; resolves to isola's exit code. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export async function startContainer(dirs: TempDirs, flags: readonly string[], script: string): Promise<LiveContainer> {
  const rootfs = await ensureHostRootfs();
  const child = spawn(isolaBin, [...dirs.args, 'run', '--rm', '--rootfs', rootfs, ...MAP, ...flags, '--', 'sh', '-c', script],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => { hasExited = true; });
  return {
    stdout: () => out, stderr: () => err, exited,
    waitForOutput: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (hasExited) throw new Error(`the container exited before printing ${pattern}: ${out}${err}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${out}${err}`);
        await sleep(20);
      }
    },
    stop: async () => {
      if (!hasExited) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The container's cgroup directory for each controller it has, from what it printed. */
export async function cgroupDirsFrom(procCgroupText: string): Promise<Map<CgroupController, string>> {
  const layout = await detectCgroupLayout(createFsCgroupHost());
  const paths = parseProcCgroup(procCgroupText);
  const dirs = new Map<CgroupController, string>();
  for (const name of ['pids', 'memory', 'cpu'] as const) {
    const v1Mount = layout.v1Mounts.get(name);
    const [mount, path] = v1Mount !== undefined ? [v1Mount, paths.get(name)]
      : layout.unifiedControllers.includes(name) ? [layout.unifiedMount, paths.get('')] : [undefined, undefined];
    if (mount !== undefined && path !== undefined && path.startsWith('/isola/')) dirs.set(name, `${mount}${path}`);
  }
  return dirs;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
