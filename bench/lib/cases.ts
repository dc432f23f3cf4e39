/**
 * What is measured: one `BenchCase` per subject, each a closure that starts a
 * container running /bin/true (or, for the baseline, node -e 0) and resolves
 * to its wall time. Setting a case up may fail (a peer missing, a bundle
 * that cannot be built); such a case comes back as unavailable with the
 * reason, and the others still run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';
import { createOciBundle, type IdMapping } from './oci-bundle.ts';
import type { PeerStatus } from './peers.ts';
import { createPodmanSandbox, PODMAN_IMAGE, PODMAN_RUN_FLAGS } from './podman.ts';
import { CASE, type UnavailableCase } from './report.ts';
import { timeCall, timeCommand } from './timing.ts';

export const ID_MAP: IdMapping = { containerID: 0, hostID: 100000, size: 65536 };
const MAP_TEXT = `${ID_MAP.containerID}:${ID_MAP.hostID}:${ID_MAP.size}`;
export const UNSHARE_OVERHEAD = 'unshare -m sh -c umount (crun overhead)';

export interface BenchCase {
  readonly name: string;
  /** Runs the subject once and resolves to its wall time in milliseconds. */
  measure(): Promise<number>;
}

export interface CaseContext {
  readonly repoDir: string;
  readonly scratchDir: string;
  readonly rootfs: string;
  readonly peers: ReadonlyMap<string, PeerStatus>;
  /** Cleanups the caller runs, in reverse, once the measurements are done. */
  readonly cleanups: Array<() => Promise<void>>;
}

type Prepared = BenchCase | UnavailableCase;

function peerPath(context: CaseContext, binary: string): string {
  const status = context.peers.get(binary);
  if (status?.isAvailable !== true) throw new Error(status?.reason ?? `${binary} was not looked up`);
  return status.path;
}

/**
 * crun 1.8 refuses a hybrid host (v1 controllers plus a cgroup2 mount at
 * /sys/fs/cgroup/unified). In a private mount namespace without that mount it
 * sees plain v1, so crun runs under `unshare -m` after unmounting it there;
 * the host's mount is untouched (unshare makes the new namespace private).
 */
async function isHybridCgroupHost(): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[4] === '/sys/fs/cgroup/unified' && line.includes(' - cgroup2 '));
}

function prepareIsolaCli(context: CaseContext): Prepared {
  const argv = [join(context.repoDir, 'bin/isola'), '--root', join(context.scratchDir, 'isola-cli/root'),
    '--runroot', join(context.scratchDir, 'isola-cli/run'), 'run', '--rm', '--rootfs', context.rootfs,
    '--uidmap', MAP_TEXT, '--gidmap', MAP_TEXT, '/bin/true'];
  return { name: CASE.isolaCli, measure: () => timeCommand(argv) };
}

async function prepareIsolaApi(context: CaseContext): Promise<Prepared> {
  const engine = await Engine.open({ root: join(context.scratchDir, 'isola-api/root'), runroot: join(context.scratchDir, 'isola-api/run') });
  const map = [{ containerId: ID_MAP.containerID, hostId: ID_MAP.hostID, size: ID_MAP.size }];
  const options = {
    rootfs: context.rootfs, args: ['/bin/true'], env: [], volumes: [], tmpfs: [], isReadonlyRootfs: false, capAdd: [],
    capDrop: [], ulimits: [], isPrivileged: false, hasTerminal: false, isInteractive: false, network: 'private',
    userns: { kind: 'explicit', uidMap: map, gidMap: map },
  } as const;
  const measure = () => timeCall(async () => {
    const status = await (await engine.run(options)).exited;
    if (status.code !== 0) throw new Error(`engine.run of /bin/true exited with ${status.code ?? `signal ${status.signal}`}`);
  });
  return { name: CASE.isolaApi, measure };
}

/** crun and runc share one bundle; each keeps its state in the scratch dir and gets a fresh id per run. */
async function prepareOciRuntimes(context: CaseContext): Promise<Prepared[]> {
  const bundle = join(context.scratchDir, 'bundle');
  try {
    await createOciBundle(bundle, context.rootfs, ['/bin/true'], ID_MAP);
  } catch (error) {
    const reason = `cannot build the OCI bundle: ${(error as Error).message.split('\n')[0]}`;
    return [{ name: CASE.crun, reason }, { name: CASE.runc, reason }];
  }
  let runId = 0;
  const runtimeCase = (name: string, binary: string, wrap: (argv: string[]) => string[]): Prepared => {
    try {
      const path = peerPath(context, binary);
      const state = join(context.scratchDir, `${binary}-state`);
      return { name, measure: () => timeCommand(wrap([path, '--root', state, 'run', '--bundle', bundle, `isola-bench-${++runId}`])) };
    } catch (error) {
      return { name, reason: (error as Error).message };
    }
  };
  const cases = [runtimeCase(CASE.runc, 'runc', (argv) => argv)];
  if (!(await isHybridCgroupHost())) return [...cases, runtimeCase(CASE.crun, 'crun', (argv) => argv)];
  const unshare = context.peers.get('unshare');
  if (unshare?.isAvailable !== true) return [...cases, { name: CASE.crun, reason: `needs unshare on this hybrid host: ${unshare?.reason}` }];
  const inPrivateMounts = (argv: readonly string[]) =>
    [unshare.path, '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$0" "$@"', ...argv];
  return [...cases, runtimeCase(CASE.crun, 'crun', inPrivateMounts),
    { name: UNSHARE_OVERHEAD, measure: () => timeCommand(inPrivateMounts(['/bin/true'])) }];
}

function prepareBwrap(context: CaseContext): Prepared {
  try {
    const argv = [peerPath(context, 'bwrap'), '--unshare-all', '--uid', '0', '--gid', '0', '--bind', context.rootfs, '/',
      '--proc', '/proc', '--dev', '/dev', '/bin/true'];
    return { name: CASE.bwrap, measure: () => timeCommand(argv) };
  } catch (error) {
    return { name: CASE.bwrap, reason: (error as Error).message };
  }
}

/** --network none: isola's private network and the bundle's are a bare namespace too, and it creates no bridge. */
async function preparePodman(context: CaseContext): Promise<Prepared> {
  try {
    peerPath(context, 'runc'); // --runtime runc
    const sandbox = await createPodmanSandbox(peerPath(context, 'podman'), join(context.scratchDir, 'podman'), context.rootfs);
    context.cleanups.push(() => sandbox.remove());
    const argv = [...sandbox.argv, 'run', '--rm', '--runtime', 'runc', '--network', 'none', ...PODMAN_RUN_FLAGS, '--uidmap', MAP_TEXT,
      '--gidmap', MAP_TEXT, PODMAN_IMAGE, 'true'];
    return { name: CASE.podman, measure: () => timeCommand(argv) };
  } catch (error) {
    return { name: CASE.podman, reason: (error as Error).message.split('\n')[0] ?? 'setup failed' };
  }
}

export async function prepareCases(context: CaseContext): Promise<Prepared[]> {
  const node = join(context.repoDir, 'node_modules/.bin/node');
  return [
    { name: CASE.node, measure: () => timeCommand([node, '-e', '0']) },
    prepareIsolaCli(context),
    await prepareIsolaApi(context),
    ...await prepareOciRuntimes(context),
    prepareBwrap(context),
    await preparePodman(context),
  ];
}

export function isUnavailable(prepared: Prepared): prepared is UnavailableCase {
  return 'reason' in prepared;
}
