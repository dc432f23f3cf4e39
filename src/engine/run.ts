/**
 * `isola run`: from the user's options to a running container and, after it
 * exits, no trace of it. Each step that creates something has its undo in
 * `finally` or on the failure path.
 */
import { accessSync, closeSync, openSync, readSync } from 'node:fs';
import { InvalidOptionError } from '../errors/index.ts';
import { join } from 'node:path';
import { checkOptions, generateConfig, resolveUser, type ContainerOptions, type UsernsMode } from '../spec/index.ts';
import { applyConfigDefaults } from './config-defaults.ts';
import { readHostContext, runContainer, type HostContext, type OciConfig, type RunTakeover } from '../runtime/index.ts';
import type { ExitStatus } from '../launch/index.ts';
import { idMapsForMode } from './id-maps-for-mode.ts';
import type { IdAllocation } from './id-allocator.ts';
import { removeRuntimeFiles, writeRuntimeFiles } from './runtime-files.ts';
import { checkUlimitsWithinHost, readBindingHardLimits } from './host-limits.ts';
import type { EngineSettings } from './settings.ts';
import type { PullPolicy } from './image-run.ts';
import type { Credentials, PullEvent } from '../image/index.ts';
import { prepareContainerStorage, type ContainerStorage } from './container-storage.ts';

export interface RunOptions extends Omit<ContainerOptions, 'userns' | 'rootfs'> {
  /** A root filesystem directory; give this or rootfsLayers. */
  readonly rootfs?: string | undefined;
  /**
   * Use a chowned copy of rootfsLayers even where ID-mapped mounts work
   * (benchmarks and tests of the fallback). @default false
   */
  readonly isRootfsCopyForced?: boolean | undefined;
  /** @default the configuration file's `userns`, else auto */
  readonly userns?: UsernsMode | undefined;
  /**
   * An image (name, id or name@digest) instead of rootfs/rootfsLayers: its layers
   * become the rootfs and its config the defaults (see image-config.ts).
   */
  readonly image?: string | undefined;
  /** When to pull `image`. @default 'missing' */
  readonly pull?: PullPolicy | undefined;
  /** false allows plain HTTP for the pull. @default true */
  readonly tlsVerify?: boolean | undefined;
  /** For the pull: a directory of `*.crt` CAs and a `NAME.cert` + `NAME.key` client pair (podman's --cert-dir). */
  readonly certDir?: string | undefined;
  /** For the pull, instead of stored credentials (podman's --creds). */
  readonly registryCredentials?: Credentials | undefined;
  /** Replaces the image's Entrypoint (and drops its Cmd); [] means none. */
  readonly entrypoint?: readonly string[] | undefined;
  readonly onPullProgress?: ((event: PullEvent) => void) | undefined;
  /** The caller's terminal size, for a container with a terminal. */
  readonly consoleSize?: { readonly rows: number; readonly cols: number } | undefined;
  /** Put the caller's terminal in raw mode while relaying the container's. */
  readonly isHostTerminalRaw?: boolean | undefined;
  /**
   * A command line's foreground run: where nothing needs this process once
   * the container is gone, it becomes the container's monitor (same pid) and
   * exits with the container's status, and run() never returns. The ID range
   * is then freed by the next allocation or `isola userns ls`, which collect
   * ranges whose holders are gone.
   */
  readonly takeover?: RunTakeoverOptions | undefined;
}

export interface RunTakeoverOptions {
  /**
   * argv of this program up to a command that calls
   * `explainLaunchFailure(...its two arguments)`: exec'd if the start fails.
   */
  readonly failureCommand: readonly string[];
  /** Told the run's notes right before this process is replaced. */
  readonly onNotes: (notes: readonly string[]) => void;
}

export interface RunningContainer {
  readonly id: string;
  /** Host pid of the container's first process. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** Things the user should know about how the container was set up. */
  readonly notes: readonly string[];
  /** The image it runs, with what its config records but isola does not act on. */
  readonly image?: RunImageInfo | undefined;
  signal(signal: NodeJS.Signals): void;
}

function withConsoleSize(config: OciConfig, size: RunOptions['consoleSize']): OciConfig {
  if (size === undefined || config.process === undefined) return config;
  return { ...config, process: { ...config.process, consoleSize: { height: size.rows, width: size.cols } } };
}

/**
 * 64 hex digits, as docker and podman ids. node:crypto would cost
 * milliseconds of start-up to load; synchronous, as the promise version
 * would start libuv's thread pool for this one read (~1 ms).
 */
export async function newContainerId(): Promise<string> {
  const fd = openSync('/dev/urandom', 'r');
  try {
    const buffer = Buffer.alloc(32);
    readSync(fd, buffer, 0, 32, null);
    return buffer.toString('hex');
  } finally {
    closeSync(fd);
  }
}

export interface RunImageInfo {
  readonly id: string;
  readonly names: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** `80/tcp` style keys of the config's ExposedPorts. */
  readonly exposedPorts: readonly string[];
}

/** Facts about this host and caller, read once per Engine. */
export interface HostFacts {
  readonly host: HostContext;
  /** Hard limits this process cannot raise, or undefined when it can. */
  readonly hardLimits: Record<string, number> | undefined;
}

export async function readHostFacts(settings: EngineSettings): Promise<HostFacts> {
  const [host, hardLimits] = await Promise.all([readHostContext(settings.searchPath), readBindingHardLimits()]);
  return { host, hardLimits };
}

/**
 * A failed release leaves a row whose holders (this isola, the container's monitor)
 * are about to be gone, so the next allocation collects it: never worth failing for.
 */
function releaseQuietly(allocation: IdAllocation | undefined): void {
  try {
    allocation?.release();
  } catch {
    // See above: collected later.
  }
}

/**
 * With layers there is no rootfs yet: its path is decided with the container
 * id, so the checks see a placeholder. Exactly one of the two is needed.
 */
async function chooseRootfs(options: RunOptions): Promise<string> {
  const layers = options.rootfsLayers;
  if ((options.rootfs === undefined) === (layers === undefined || layers.length === 0)) {
    throw new InvalidOptionError('rootfs', 'either a rootfs directory or image layers', options.rootfs ?? 'neither',
      { hint: 'give --rootfs DIR or an image' });
  }
  return options.rootfs ?? '/';
}

/**
 * Where /etc/passwd and /etc/group are read from: the rootfs, or the
 * topmost layer that has /etc/passwd (an image's users come from its
 * layers; a later layer's copy replaces an earlier one).
 */
export async function userFilesRoot(options: Pick<RunOptions, 'rootfsLayers'> & { rootfs: string }): Promise<string> {
  const layers = options.rootfsLayers;
  if (layers === undefined || layers.length === 0) return options.rootfs;
  for (let i = layers.length - 1; i >= 0; i--) {
    try {
      accessSync(join(layers[i]!, 'etc', 'passwd')); // synchronous: see newContainerId
      return layers[i]!;
    } catch {
      // Not in this layer: the one below.
    }
  }
  return layers[layers.length - 1]!;
}

/** Where `--userns=auto` gets its ids. */
export interface IdSource {
  /** Settles once the source is ready to allocate (see IdAllocator.prepare); started early by the caller. */
  readonly ready: Promise<void> | undefined;
  allocate(size: number | undefined, containerId: string): Promise<IdAllocation>;
}

export async function runContainerFromOptions(settings: EngineSettings, facts: HostFacts, requested: RunOptions,
  ids: IdSource): Promise<RunningContainer> {
  const rootfs = await chooseRootfs(requested);
  const { options: configured, rlimitDefaults, notes } = applyConfigDefaults({ ...requested, rootfs }, settings.config, facts.hardLimits);
  const options: ContainerOptions & RunOptions = { ...requested, ...configured, rootfs };
  // keep-id keeps the caller as the container's default user too (podman's behaviour).
  const keptUser = options.userns.kind === 'keep-id' ? `${facts.host.uid}:${facts.host.gid}` : undefined;
  const { host, hardLimits: hostHardLimits } = facts;
  // Every check that needs no ids comes before the allocation, so bad input allocates nothing.
  checkOptions(options);
  // Independent reads overlap: the id, the rootfs's passwd and group files, the state database.
  const [id, user] = await Promise.all([
    newContainerId(), resolveUser(await userFilesRoot(options), options.user ?? keptUser), ids.ready,
  ]);
  checkUlimitsWithinHost(options.ulimits, hostHardLimits);
  const { idMaps, allocation } = await idMapsForMode(options.userns, host, (size) => ids.allocate(size, id));
  const dir = join(settings.runroot, 'containers', id);
  let storage: ContainerStorage | undefined;
  try {
    storage = await prepareContainerStorage({
      settings, facts, containerId: id, options, idMaps, user, isCopyForced: options.isRootfsCopyForced === true,
    });
    const runtimeFiles = await writeRuntimeFiles(dir, options.hostname ?? id.slice(0, 12));
    const takeoverOf = (prepared: ContainerStorage): RunTakeover | undefined => {
      const { takeover } = requested;
      if (takeover === undefined || prepared.removeAtExit === undefined) return undefined;
      return {
        planFile: join(dir, 'plan'), failureCommand: takeover.failureCommand,
        removeAtExit: [...prepared.removeAtExit, dir],
        beforeExec: () => takeover.onNotes([...notes, ...prepared.notes]),
      };
    };
    const launch = async (prepared: ContainerStorage) => {
      const withStorage = { ...options, rootfs: prepared.rootfs, volumes: prepared.volumes };
      const config = withConsoleSize(generateConfig({ options: withStorage, user, idMaps, runtimeFiles, hostHardLimits, rlimitDefaults, containerId: id }), options.consoleSize);
      return runContainer(config, {
        host, bundle: dir, shimPath: settings.shimPath, isInteractive: options.isInteractive,
        isHostTerminalRaw: options.isHostTerminalRaw === true, rootfsOverlay: prepared.overlay, isCwdMadeForUser: true,
        takeover: takeoverOf(prepared), keepsSpareShim: settings.keepsSpareShim,
      });
    };
    const launched = await launch(storage).catch(async (error: unknown) => {
      if (!await storage!.fallBack(error)) throw error;
      return launch(storage!);
    });
    await Promise.all([allocation?.recordMonitor(launched.shimPid), storage.recordMonitor(launched.shimPid)]);
    // TODO(#5): a detached container keeps its directory and its ids until `isola rm`.
    const started = storage;
    const exited = launched.exited.finally(async () => {
      // The rootfs mount point sits in the run directory: removed first.
      await started.remove().catch(() => {});
      await removeRuntimeFiles(dir);
      releaseQuietly(allocation);
    });
    return { id, pid: launched.pid, exited, notes: [...notes, ...storage.notes], signal: (signal) => launched.signal(signal) };
  } catch (error) {
    await storage?.remove().catch(() => {});
    await removeRuntimeFiles(dir);
    releaseQuietly(allocation);
    throw error;
  }
}
