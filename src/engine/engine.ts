/**
 * Engine: the public TypeScript API, the same one the CLI uses.
 *
 * ```ts
 * const engine = await Engine.open({ root, runroot });
 * const c = await engine.run({ rootfs, cmd: ['sh', '-c', 'echo hi'], userns: 'auto', pidsLimit: 100, detach: true });
 * for await (const line of c.logs({ follow: true })) console.log(line.text);
 * const status = await c.wait();
 * await c.remove();
 * await engine.close();
 * ```
 * `image` (with `pull`, `entrypoint`) instead of `rootfs` runs an image, detached
 * or not: `engine.run({ image: 'busybox', cmd: ['top'], detach: true })`.
 * Without `detach`, `run` runs in the foreground: it resolves once the
 * process runs, with an `exited` promise, and nothing is recorded.
 */
import { normalizeEngineOptions, type EngineOpenOptions, type EngineSettings } from './settings.ts';
import { newContainerId, readHostFacts, runContainerFromOptions, type HostFacts, type RunOptions, type RunningContainer } from './run.ts';
import type { IdAllocationsReport, IdAllocator } from './id-allocator.ts';
import { configuredUserns } from './config-defaults.ts';
import type { ImageService } from './images.ts';
import type { RemovedImage } from '../image/index.ts';
import type { VolumeInfo } from '../storage/index.ts';
import type { LifecycleOperations, ListOptions, RemoveOptions } from './lifecycle/operations.ts';
import type { Container, StopOptions } from './lifecycle/container.ts';
import type { ContainerInfo } from './lifecycle/container-info.ts';
import type { ContainerImage, CreateOptions } from './lifecycle/create-options.ts';
import { parseUsernsMode } from '../spec/index.ts';
import type { LogLine } from './lifecycle/log-format.ts';
import type { LogsOptions } from './lifecycle/logs.ts';
import type { TopDescriptor } from './lifecycle/top.ts';
import type { ExecOptions } from './lifecycle/exec.ts';
import type { ContainerStats } from './lifecycle/stats.ts';
import type { LaunchedContainer } from '../launch/index.ts';
import type { Socket } from 'node:net';
import { isProcessGone, readSelfIdentity, type ProcessIdentity } from './state/index.ts';
import { storageWriter } from './storage-writer.ts';

/**
 * Runs fn; an allocation failure of a range enlarged for the image's
 * highest id becomes an error naming that id's file or user (image-range-error.ts).
 */
async function explainImageRangeOf<T>(image: string, layers: readonly string[],
  range: { readonly maxId: number; readonly size: number } | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (range === undefined) throw error;
    const { explainImageRange } = await import('./image-range-error.ts');
    throw await explainImageRange(error, image, layers, range.maxId, range.size);
  }
}

export interface SystemPruneReport {
  /** Ids of the containers removed. */
  readonly containers: readonly string[];
  /** Names of the volumes removed (with `volumes`). */
  readonly volumes: readonly string[];
  /** How many chowned layer copies were removed. */
  readonly layerCopies: number;
}

export interface DetachedRunOptions extends CreateOptions {
  /** Run in the background under a monitor; the call resolves once the process runs. */
  readonly detach: true;
}

export class Engine {
  readonly settings: EngineSettings;
  #hostFacts: Promise<HostFacts> | undefined;
  #idAllocator: Promise<IdAllocator> | undefined;
  #images: Promise<ImageService> | undefined;
  #operations: Promise<LifecycleOperations> | undefined;
  #self: Promise<ProcessIdentity> | undefined;

  private constructor(settings: EngineSettings) {
    this.settings = settings;
  }

  /** The caller's ids, subordinate ranges, helpers and hard limits: read on first use, then kept. */
  #facts(): Promise<HostFacts> {
    this.#hostFacts ??= readHostFacts(this.settings);
    return this.#hostFacts;
  }

  /**
   * Created on first use: runs with explicit maps never load the allocator
   * and SQLite, nor open the state database.
   */
  #allocator(): Promise<IdAllocator> {
    this.#idAllocator ??= import('./id-allocator.ts').then(({ IdAllocator }) => new IdAllocator({
      root: this.settings.root, host: async () => (await this.#facts()).host, configuredPool: this.settings.config.pool,
    }));
    return this.#idAllocator;
  }

  /**
   * Pull, list, inspect, remove, tag and push images; log in to registries.
   * Loaded on first use: `run --rootfs` never loads the image code.
   */
  images(): Promise<ImageService> {
    this.#images ??= import('./images.ts').then(({ ImageService }) => new ImageService(this.settings, async () => (await this.#facts()).host));
    return this.#images;
  }

  static async open(options: EngineOpenOptions): Promise<Engine> {
    return new Engine(await normalizeEngineOptions(options));
  }

  /**
   * Recorded containers: the state database, this process and the allocator,
   * shared. Loaded on first use, so a foreground `run` does not pay for it.
   */
  #containers(): Promise<LifecycleOperations> {
    this.#operations ??= import('./lifecycle/operations.ts').then(({ LifecycleOperations }) => new LifecycleOperations({
      settings: this.settings,
      db: async () => (await this.#allocator()).database(),
      facts: () => this.#facts(),
      ids: { ready: undefined, allocate: async (size, containerId) => (await this.#allocator()).allocate({ size, containerId }) },
      self: () => {
        this.#self ??= readSelfIdentity().then((self) => self ?? { pid: process.pid, startTime: 0 });
        return this.#self;
      },
    }));
    return this.#operations;
  }

  /**
   * Starts a container; resolves once its process runs. With `detach: true` it
   * is recorded and monitored until removed (see Container); otherwise it runs
   * in the foreground and `exited` settles when it ends.
   */
  run(options: DetachedRunOptions): Promise<Container>;
  run(options: RunOptions): Promise<RunningContainer>;
  async run(options: RunOptions | DetachedRunOptions): Promise<RunningContainer | Container> {
    if ('detach' in options && options.detach) {
      const { options: resolved, image, explain } = await this.#withImage(options);
      return explain(async () => (await this.#containers()).run(resolved, image));
    }
    const requested = options as RunOptions;
    if (requested.image !== undefined) return this.#runImage(requested, requested.image);
    return this.#runForeground(requested);
  }

  /**
   * `rmi`: removes images, refusing (ISOLA_IMAGE_IN_USE) one a container was
   * created from, unless `force`, which removes such containers first.
   */
  async removeImages(refs: readonly string[], options: { readonly force?: boolean | undefined } = {}): Promise<RemovedImage[]> {
    const [{ removeImages }, images, containers] = await Promise.all([import('./image-removal.ts'), this.images(), this.#containers()]);
    const removed = await removeImages(images, {
      list: () => containers.list({ all: true }), remove: (id) => containers.remove(id, { force: true }),
    }, refs, options.force === true);
    // Copies of the removed layers that only dead runs still named.
    await containers.collectStorage();
    return removed;
  }

  /**
   * `system prune`: every stopped container, then the layer copies no live
   * container uses and what dead isola processes left half-made, and with
   * `volumes` the volumes no container uses.
   */
  async systemPrune(options: { readonly volumes?: boolean | undefined } = {}): Promise<SystemPruneReport> {
    const containers = await this.#containers();
    const removed = await containers.removeStopped();
    const layerCopies = await containers.collectStorage();
    const volumes = options.volumes === true ? await this.pruneVolumes() : [];
    return { containers: removed, volumes, layerCopies };
  }

  /** Records a container with its options and host ids, without starting it. */
  async create(options: CreateOptions): Promise<Container> {
    const { options: resolved, image, explain } = await this.#withImage(options);
    return explain(async () => (await this.#containers()).create(resolved, image));
  }

  /** Starts a created or stopped container detached. @throws ContainerError */
  async start(ref: string): Promise<Container> {
    return (await this.#containers()).start(ref);
  }

  /** A handle on a container by id, unique id prefix or name. @throws ContainerError ISOLA_CONTAINER_NOT_FOUND */
  async container(ref: string): Promise<Container> {
    return (await this.#containers()).container(ref);
  }

  /** Running containers, or all with `all`; rows are repaired from the facts first. */
  async ps(options?: ListOptions): Promise<ContainerInfo[]> {
    return (await this.#containers()).list(options);
  }

  async inspect(ref: string): Promise<ContainerInfo> {
    return (await this.#containers()).inspect(ref);
  }

  async *logs(ref: string, options?: LogsOptions): AsyncGenerator<LogLine> {
    yield* (await this.#containers()).logs(ref, options);
  }

  /** Resolves with the exit status once it stopped; undefined when unknown. */
  async wait(ref: string, options?: { readonly signal?: AbortSignal | undefined }): Promise<number | undefined> {
    return (await this.#containers()).wait(ref, options);
  }

  /** The stop signal, then SIGKILL after `timeoutSec` (default 10). */
  async stop(ref: string, options?: StopOptions): Promise<ContainerInfo> {
    return (await this.#containers()).stop(ref, options);
  }

  async kill(ref: string, signal?: string): Promise<void> {
    return (await this.#containers()).kill(ref, signal);
  }

  async restart(ref: string, options?: StopOptions): Promise<Container> {
    return (await this.#containers()).restart(ref, options);
  }

  /** Removes it with its files, cgroup and host ids; `force` stops it first; `volumes` takes its anonymous volumes too. */
  async remove(ref: string, options?: RemoveOptions): Promise<void> {
    return (await this.#containers()).remove(ref, options);
  }

  /** Removes every stopped container; resolves with their ids. */
  async prune(): Promise<string[]> {
    return (await this.#containers()).prune();
  }

  async rename(ref: string, newName: string): Promise<void> {
    return (await this.#containers()).rename(ref, newName);
  }

  async top(ref: string, descriptors?: readonly TopDescriptor[]): Promise<string[][]> {
    return (await this.#containers()).top(ref, descriptors);
  }

  /**
   * Runs a process in a running container: its namespaces (same ID map), its
   * cgroup. Resolves once it runs; `exited` settles when it ends.
   */
  async exec(ref: string, options: ExecOptions): Promise<LaunchedContainer> {
    return (await this.#containers()).exec(ref, options);
  }

  /**
   * A connection to the container's monitor: what the container writes from
   * now on, and (with a terminal) input to it. It closes when the container exits.
   */
  async attach(ref: string): Promise<Socket> {
    return (await this.#containers()).attach(ref);
  }

  /** Copies a host file or tree into the container (owned by its root). */
  async copyInto(ref: string, hostPath: string, containerPath: string): Promise<void> {
    return (await this.#containers()).copyInto(ref, hostPath, containerPath);
  }

  /** Copies a file or tree out of the container (owned by the ids it had inside). */
  async copyOut(ref: string, containerPath: string, hostPath: string): Promise<void> {
    return (await this.#containers()).copyOut(ref, containerPath, hostPath);
  }

  /** CPU, memory and pids of these containers, or of all running ones. */
  async stats(refs: readonly string[] = []): Promise<ContainerStats[]> {
    return (await this.#containers()).stats(refs);
  }

  /** Freezes every process of a running container (cgroup freezer). */
  async pause(ref: string): Promise<void> {
    return (await this.#containers()).pause(ref);
  }

  async unpause(ref: string): Promise<void> {
    return (await this.#containers()).unpause(ref);
  }

  /** What a container's monitor runs when it exits (`isola container cleanup ID`). */
  async cleanUpContainer(id: string): Promise<void> {
    return (await this.#containers()).cleanUp(id);
  }

  /**
   * An image run: its layers (pulled and unpacked as needed) are the rootfs,
   * its config fills in what the caller left out, and an auto range grows to
   * cover the highest id its files and users have.
   */
  async #runImage(requested: RunOptions, imageName: string): Promise<RunningContainer> {
    const { resolveImageOptions } = await import('./image-options.ts');
    // The image's VOLUMEs need nothing here: the container's writable layer holds them and goes with it.
    const { image, stopSignal: _stopSignal, imageVolumes: _volumes, rangeForImage, ...merged } = await resolveImageOptions(await this.images(), this.settings.config, { ...requested, image: imageName });
    const container = await explainImageRangeOf(imageName, merged.rootfsLayers, rangeForImage,
      () => this.#runForeground({ ...requested, ...merged, image: undefined }));
    return { ...container, image };
  }

  /** create and run -d of an image: the same merge as a foreground run, recorded with the image. */
  async #withImage(options: CreateOptions): Promise<{
    options: CreateOptions; image: ContainerImage | undefined; explain: <T>(fn: () => Promise<T>) => Promise<T>;
  }> {
    if (options.image === undefined) return { options, image: undefined, explain: (fn) => fn() };
    const { resolveImageOptions } = await import('./image-options.ts');
    const userns = typeof options.userns === 'string' ? parseUsernsMode(options.userns, 'userns') : options.userns;
    const { image, stopSignal, imageVolumes, rangeForImage, ...merged } = await resolveImageOptions(await this.images(), this.settings.config, {
      ...options, image: options.image, userns, args: options.cmd ?? options.args ?? [], env: options.env ?? [],
    });
    const { imageVolumeOptions } = await import('./anonymous-volumes.ts');
    const volumes = [...options.volumes ?? [], ...imageVolumeOptions(imageVolumes, options)];
    const name = options.image;
    return {
      options: { ...options, ...merged, volumes, cmd: undefined, image: undefined, stopSignal: options.stopSignal ?? stopSignal },
      image: { id: image.id, name: image.names[0] ?? options.image },
      explain: (fn) => explainImageRangeOf(name, merged.rootfsLayers, rangeForImage, fn),
    };
  }

  async #runForeground(options: RunOptions): Promise<RunningContainer> {
    if (options.volumes.some((v) => v.isAnonymous === true && v.volumeName === undefined)) return this.#runWithAnonymousVolumes(options);
    // The state database opens while the host facts are read and the options checked.
    const mode = configuredUserns(options.userns, this.settings.config);
    const ready = mode.kind === 'auto' ? this.#allocator().then((ids) => ids.prepare()) : undefined;
    // runContainerFromOptions awaits it; this only keeps an earlier failure from leaving it unhandled.
    ready?.catch(() => {});
    return runContainerFromOptions(this.settings, await this.#facts(), options, {
      ready,
      allocate: async (size, containerId) => (await this.#allocator()).allocate({ size, containerId }),
    });
  }

  /** A foreground run is not recorded: its anonymous volumes (`-v /path`) go when it ends, or fails to start. */
  async #runWithAnonymousVolumes(options: RunOptions): Promise<RunningContainer> {
    const { anonymousVolumeNames, nameAnonymousVolumes, removeAnonymousVolumes } = await import('./anonymous-volumes.ts');
    const volumes = await nameAnonymousVolumes(options.volumes, newContainerId);
    const remove = async (): Promise<void> => removeAnonymousVolumes(this.settings, await this.#facts(), anonymousVolumeNames(volumes));
    try {
      const container = await this.#runForeground({ ...options, volumes });
      return { ...container, exited: container.exited.finally(() => remove().catch(() => {})) };
    } catch (error) {
      await remove().catch(() => {});
      throw error;
    }
  }

  /**
   * The host id blocks held by containers (`--userns=auto`) and how much of the pool is
   * free. Allocations whose holders have all died are collected first.
   */
  async listIdAllocations(): Promise<IdAllocationsReport> {
    return (await this.#allocator()).list();
  }

  /** `isola volume create`: an empty volume owned by the caller. @throws StorageError ISOLA_STORAGE_VOLUME_EXISTS, ISOLA_STORAGE_VOLUME_NAME */
  async createVolume(name: string): Promise<VolumeInfo> {
    return (await import('../storage/index.ts')).createVolume(this.settings.root, name);
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    return (await import('../storage/index.ts')).listVolumes(this.settings.root);
  }

  /** @throws StorageError ISOLA_STORAGE_VOLUME_MISSING */
  async inspectVolume(name: string): Promise<VolumeInfo> {
    return (await import('../storage/index.ts')).inspectVolume(this.settings.root, name);
  }

  /**
   * Removes the volume and its data (rootless, inside your user namespace when
   * it holds subordinate ids). A volume a container uses (running or stopped)
   * is refused; `force` removes its recorded containers first, as podman does.
   * @throws StorageError ISOLA_STORAGE_VOLUME_MISSING, ISOLA_STORAGE_VOLUME_IN_USE
   *   (with `containers`: a foreground run of another isola is never removed)
   */
  async removeVolume(name: string, options: { readonly force?: boolean | undefined } = {}): Promise<void> {
    const [storage, containers, { host }] = await Promise.all([import('../storage/index.ts'), this.#containers(), this.#facts()]);
    const removeUsers = async (): Promise<void> => {
      for (const user of await containers.volumeUsers(name)) await containers.remove(user.id, { force: true });
    };
    await storage.removeVolume(this.settings.root, name, {
      writer: await storageWriter(this.settings, host), isHolderGone: isProcessGone,
      recordedUsers: async () => (await containers.volumeUsers(name)).map((c) => c.name),
      beforeRemoval: options.force === true ? removeUsers : undefined,
    });
  }

  /** `volume prune`: removes every volume no container uses. @returns their names */
  async pruneVolumes(): Promise<string[]> {
    const removed: string[] = [];
    for (const volume of await this.listVolumes()) {
      try {
        await this.removeVolume(volume.name);
        removed.push(volume.name);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'ISOLA_STORAGE_VOLUME_IN_USE' && code !== 'ISOLA_STORAGE_VOLUME_MISSING') throw error;
      }
    }
    return removed;
  }

  /** Closes the state database if it was opened. Running containers are not affected. */
  async close(): Promise<void> {
    await (await this.#idAllocator)?.close();
    await (await this.#images)?.close();
  }
}
