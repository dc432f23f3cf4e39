/**
 * `isola run`: from the user's options to a running container and, after it
 * exits, no trace of it. Each step that creates something has its undo in
 * `finally` or on the failure path.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOptions, generateConfig, resolveUser, type ContainerOptions, type UsernsMode } from '../spec/index.ts';
import { applyConfigDefaults } from './config-defaults.ts';
import { readHostContext, runContainer, type HostContext, type OciConfig } from '../runtime/index.ts';
import type { ExitStatus } from '../launch/index.ts';
import { idMapsForMode } from './id-maps-for-mode.ts';
import type { IdAllocation } from './id-allocator.ts';
import { removeRuntimeFiles, writeRuntimeFiles } from './runtime-files.ts';
import { checkUlimitsWithinHost, readBindingHardLimits } from './host-limits.ts';
import type { EngineSettings } from './settings.ts';

export interface RunOptions extends Omit<ContainerOptions, 'userns'> {
  /** @default the configuration file's `userns`, else auto */
  readonly userns?: UsernsMode | undefined;
  /** The caller's terminal size, for a container with a terminal. */
  readonly consoleSize?: { readonly rows: number; readonly cols: number } | undefined;
  /** Put the caller's terminal in raw mode while relaying the container's. */
  readonly isHostTerminalRaw?: boolean | undefined;
}

export interface RunningContainer {
  readonly id: string;
  /** Host pid of the container's first process. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** Things the user should know about how the container was set up. */
  readonly notes: readonly string[];
  signal(signal: NodeJS.Signals): void;
}

function withConsoleSize(config: OciConfig, size: RunOptions['consoleSize']): OciConfig {
  if (size === undefined || config.process === undefined) return config;
  return { ...config, process: { ...config.process, consoleSize: { height: size.rows, width: size.cols } } };
}

/** 64 hex digits, as docker and podman ids. node:crypto would cost milliseconds of start-up to load. */
export async function newContainerId(): Promise<string> {
  const file = await open('/dev/urandom', 'r');
  try {
    const { buffer } = await file.read(Buffer.alloc(32), 0, 32, null);
    return buffer.toString('hex');
  } finally {
    await file.close();
  }
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

/** Where `--userns=auto` gets its ids. */
export interface IdSource {
  /** Settles once the source is ready to allocate (see IdAllocator.prepare); started early by the caller. */
  readonly ready: Promise<void> | undefined;
  allocate(size: number | undefined, containerId: string): Promise<IdAllocation>;
}

export async function runContainerFromOptions(settings: EngineSettings, facts: HostFacts, requested: RunOptions,
  ids: IdSource): Promise<RunningContainer> {
  const { options: configured, rlimitDefaults, notes } = applyConfigDefaults(requested, settings.config, facts.hardLimits);
  const options: ContainerOptions & RunOptions = { ...requested, ...configured };
  // keep-id keeps the caller as the container's default user too (podman's behaviour).
  const keptUser = options.userns.kind === 'keep-id' ? `${facts.host.uid}:${facts.host.gid}` : undefined;
  const { host, hardLimits: hostHardLimits } = facts;
  // Every check that needs no ids comes before the allocation, so bad input allocates nothing.
  checkOptions(options);
  // Independent reads overlap: the id, the rootfs's passwd and group files, the state database.
  const [id, user] = await Promise.all([newContainerId(), resolveUser(options.rootfs, options.user ?? keptUser), ids.ready]);
  checkUlimitsWithinHost(options.ulimits, hostHardLimits);
  const { idMaps, allocation } = await idMapsForMode(options.userns, host, (size) => ids.allocate(size, id));
  const dir = join(settings.runroot, 'containers', id);
  try {
    const runtimeFiles = await writeRuntimeFiles(dir, options.hostname ?? id.slice(0, 12));
    const config = withConsoleSize(generateConfig({ options, user, idMaps, runtimeFiles, hostHardLimits, rlimitDefaults, containerId: id }), options.consoleSize);
    const launched = await runContainer(config, {
      host, bundle: dir, shimPath: settings.shimPath, isInteractive: options.isInteractive,
      isHostTerminalRaw: options.isHostTerminalRaw === true,
    });
    await allocation?.recordMonitor(launched.shimPid);
    // TODO(#5): a detached container keeps its directory and its ids until `isola rm`.
    const exited = launched.exited.finally(async () => {
      await removeRuntimeFiles(dir);
      releaseQuietly(allocation);
    });
    return { id, pid: launched.pid, exited, notes, signal: (signal) => launched.signal(signal) };
  } catch (error) {
    await removeRuntimeFiles(dir);
    releaseQuietly(allocation);
    throw error;
  }
}
