/**
 * Engine: the public TypeScript API, the same one the CLI uses.
 *
 * ```ts
 * const engine = await Engine.open({ root, runroot });
 * const c = await engine.run({ rootfs, args: ['id'], userns: { kind: 'auto' }, ... });
 * const status = await c.exited;
 * await engine.close();
 * ```
 */
import { normalizeEngineOptions, type EngineOpenOptions, type EngineSettings } from './settings.ts';
import { readHostFacts, runContainerFromOptions, type HostFacts, type RunOptions, type RunningContainer } from './run.ts';
import type { IdAllocationsReport, IdAllocator } from './id-allocator.ts';
import { configuredUserns } from './config-defaults.ts';
import type { ImageService } from './images.ts';
import { InvalidOptionError } from '../errors/index.ts';
import type { VolumeInfo } from '../storage/index.ts';

export class Engine {
  readonly settings: EngineSettings;
  #hostFacts: Promise<HostFacts> | undefined;
  #idAllocator: Promise<IdAllocator> | undefined;
  #images: Promise<ImageService> | undefined;

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

  /** Starts a container; resolves once its process runs. */
  async run(requested: RunOptions): Promise<RunningContainer> {
    if (requested.image !== undefined) return this.#runImage(requested, requested.image);
    return this.#runPrepared(requested);
  }

  /**
   * An image run: its layers (pulled and unpacked as needed) are the rootfs,
   * its config fills in what the caller left out, and an auto range grows to
   * cover the highest id its files and users have.
   */
  async #runImage(requested: RunOptions, imageName: string): Promise<RunningContainer> {
    if (requested.rootfs !== undefined || requested.rootfsLayers !== undefined) {
      throw new InvalidOptionError('image', 'an image, or a rootfs, not both', imageName);
    }
    const [{ prepareRunImage }, { mergeImageConfig, autoSizeForImage, AUTO_BLOCK }] = await Promise.all([
      import('./image-run.ts'), import('./image-config.ts'),
    ]);
    const { image, config, layerDirs, maxId } = await prepareRunImage(await this.images(), {
      image: imageName, pull: requested.pull, tlsVerify: requested.tlsVerify, onPullProgress: requested.onPullProgress,
    });
    const merged = mergeImageConfig(config.config, requested, image.names[0] ?? imageName);
    let userns = configuredUserns(requested.userns, this.settings.config);
    const isSizeChosen = requested.userns?.kind === 'auto' && requested.userns.size !== undefined;
    if (userns.kind === 'auto' && !isSizeChosen && autoSizeForImage(maxId) > (userns.size ?? AUTO_BLOCK)) {
      userns = { kind: 'auto', size: autoSizeForImage(maxId) };
    }
    const container = await this.#runPrepared({ ...requested, ...merged, userns, image: undefined, rootfsLayers: layerDirs });
    return { ...container, image: {
      id: image.id, names: image.names, labels: config.config?.Labels ?? {}, exposedPorts: Object.keys(config.config?.ExposedPorts ?? {}),
    } };
  }

  async #runPrepared(options: RunOptions): Promise<RunningContainer> {
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

  /** Removes the volume and its data (rootless, inside your user namespace when it holds subordinate ids). */
  async removeVolume(name: string): Promise<void> {
    const storage = await import('../storage/index.ts');
    const { host } = await this.#facts();
    const writer = host.isPrivileged ? undefined : storage.callerUserns(host, this.settings.shimPath, this.settings.searchPath);
    await storage.removeVolume(this.settings.root, name, writer);
  }

  /** Closes the state database if it was opened. Running containers are not affected. */
  async close(): Promise<void> {
    await (await this.#idAllocator)?.close();
    await (await this.#images)?.close();
  }
}
