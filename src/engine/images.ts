/**
 * The engine's image operations: pull (short names through the search
 * registries), list, inspect, remove, tag, push, login and logout. The image
 * store opens on first use, so container commands that name no image never
 * load it.
 */
import {
  formatReference, findCredentials, ImageError, ImageStore, importRootfs, isInsecureRegistry, loadArchive, loadRegistriesConfig, parseImageConfig, readCertDir,
  parsePlatform, parseReference, pullImage, pushImage, RegistryClient, removeCredentials, saveArchive, storeCredentials, unpackLayer, withRegistry,
  parseImportChanges, type ArchiveFormat, type LayerUnpacking, type TarballSource,
  type Credentials, type ImageConfig, type ImageRecord, type ImageReference, type Platform, type PullEvent, type PushEvent,
  type RegistriesConfig, type RemovedImage,
} from '../image/index.ts';
import { join } from 'node:path';
import type { EngineSettings } from './settings.ts';
import { storageWriter } from './storage-writer.ts';
import type { HostContext } from '../runtime/index.ts';

export interface RegistryAccessOptions {
  /** false: TLS certificates are not verified and plain HTTP is allowed, as podman's --tls-verify=false. @default true */
  readonly tlsVerify?: boolean | undefined;
  /**
   * A directory whose `*.crt` files are CA certificates trusted besides the
   * default ones, and whose `NAME.cert` + `NAME.key` are a client certificate (podman's --cert-dir).
   */
  readonly certDir?: string | undefined;
  /** Used instead of stored credentials (podman's --creds). */
  readonly credentials?: Credentials | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface PullOptions extends RegistryAccessOptions {
  /** A Platform or `os/arch[/variant]`. @default the host's platform */
  readonly platform?: Platform | string | undefined;
  readonly onProgress?: ((event: PullEvent) => void) | undefined;
  /** Unpack each layer as it arrives, as podman does, so a first run starts at once. @default true */
  readonly unpack?: boolean | undefined;
}

export interface PushOptions extends RegistryAccessOptions {
  readonly onProgress?: ((event: PushEvent) => void) | undefined;
}

export interface ImportImageOptions {
  /** Dockerfile instructions for the image config (`--change`): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR. */
  readonly changes?: readonly string[] | undefined;
  /** The history comment (`--message`). */
  readonly message?: string | undefined;
}

/** An image and its parsed config. */
export interface ImageDetails {
  readonly image: ImageRecord;
  readonly config: ImageConfig;
}

const RETRYABLE_ON_NEXT_REGISTRY = new Set(['ISOLA_REGISTRY_NOT_FOUND', 'ISOLA_REGISTRY_UNAUTHORIZED', 'ISOLA_REGISTRY_DENIED', 'ISOLA_REGISTRY_UNREACHABLE']);

export class ImageService {
  readonly #settings: EngineSettings;
  readonly #host: () => Promise<HostContext>;
  #store: Promise<ImageStore> | undefined;
  #registries: Promise<RegistriesConfig> | undefined;

  /** `host`: the caller's facts, read on first need (real root or rootless decides how layers are unpacked). */
  constructor(settings: EngineSettings, host: () => Promise<HostContext>) {
    this.#settings = settings;
    this.#host = host;
  }

  /**
   * How layers are unpacked for this caller: as root, here, whiteouts as
   * devices; rootless, inside the caller's user namespace, with user.* whiteout
   * xattrs that a rootless overlay (userxattr) reads.
   */
  async unpacking(signal?: AbortSignal): Promise<LayerUnpacking> {
    const host = await this.#host();
    if (host.isPrivileged) return { unpack: unpackLayer, whiteouts: 'overlay', signal };
    const { rootlessUnpacker } = await import('./rootless-unpack.ts');
    return { unpack: rootlessUnpacker(host, this.#settings.shimPath, this.#settings.searchPath), whiteouts: 'overlay-userxattr', signal };
  }

  store(): Promise<ImageStore> {
    this.#store ??= this.#host().then(async (host) => {
      const writer = await storageWriter(this.#settings, host);
      return ImageStore.open(join(this.#settings.root, 'images'), {
        removeTree: writer === undefined ? undefined : (path) => writer.run({ kind: 'remove', paths: [path] }),
      });
    });
    return this.#store;
  }

  #registriesConfig(): Promise<RegistriesConfig> {
    this.#registries ??= loadRegistriesConfig(this.#settings.registriesFiles);
    return this.#registries;
  }

  async #client(registry: string, options: RegistryAccessOptions, credentials?: Credentials): Promise<RegistryClient> {
    const config = await this.#registriesConfig();
    const certDir = options.certDir === undefined ? undefined : await readCertDir(options.certDir);
    return new RegistryClient({
      registry, signal: options.signal,
      credentials: credentials ?? options.credentials ?? await findCredentials(registry, this.#settings.authFiles, { searchPath: this.#settings.searchPath }),
      isInsecure: options.tlsVerify === false || isInsecureRegistry(config, registry),
      caCertificates: certDir?.caCertificates, clientCertificate: certDir?.clientCertificate,
    });
  }

  /** The references a name may mean: itself when qualified, else one per search registry. */
  async candidates(text: string): Promise<ImageReference[]> {
    const parsed = parseReference(text);
    if (!parsed.isShortName) return [parsed.reference];
    return (await this.#registriesConfig()).searchRegistries.map((registry) => withRegistry(parsed, registry));
  }

  /** Stored names a short name may mean: the search registries', then `localhost/` (imported and built images, as podman). */
  async #localCandidates(text: string): Promise<ImageReference[]> {
    const parsed = parseReference(text);
    const candidates = await this.candidates(text);
    return parsed.isShortName ? [...candidates, withRegistry(parsed, 'localhost')] : candidates;
  }

  /**
   * Pulls an image; a short name is tried on each search registry in turn.
   * @throws RegistryError, ImageError
   */
  async pull(text: string, options: PullOptions = {}): Promise<ImageRecord> {
    const store = await this.store();
    let firstError: unknown;
    for (const reference of await this.candidates(text)) {
      try {
        return await pullImage({
          reference, store, client: await this.#client(reference.registry, options),
          platform: typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform,
          onProgress: options.onProgress, signal: options.signal,
          unpacking: options.unpack === false ? undefined : await this.unpacking(options.signal),
        });
      } catch (error) {
        if (!RETRYABLE_ON_NEXT_REGISTRY.has((error as { code?: string }).code ?? '')) throw error;
        firstError ??= error;
      }
    }
    throw firstError;
  }

  /** The stored image a name, id or `name@digest` means, or undefined. */
  async find(text: string): Promise<ImageRecord | undefined> {
    const store = await this.store();
    const direct = store.find(text);
    if (direct !== undefined) return direct;
    let candidates: ImageReference[];
    try {
      candidates = await this.#localCandidates(text);
    } catch {
      return undefined;
    }
    for (const reference of candidates) {
      const found = reference.digest !== undefined ? store.findByManifestDigest(reference.digest) : store.find(formatReference(reference));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** @throws ImageError ISOLA_IMAGE_NOT_FOUND */
  async get(text: string): Promise<ImageRecord> {
    const image = await this.find(text);
    if (image === undefined) {
      throw new ImageError('ISOLA_IMAGE_NOT_FOUND', `image ${text} is not stored`, text, { hint: `pull it first (isola pull ${text}), or list images with isola images` });
    }
    return image;
  }

  async details(image: ImageRecord): Promise<ImageDetails> {
    const store = await this.store();
    return { image, config: parseImageConfig(await store.blobs.read(image.configDigest), image.names[0] ?? image.id) };
  }

  async list(): Promise<ImageRecord[]> {
    return (await this.store()).list();
  }

  /** Removes each named image (only the name when the image has others); ids remove the whole image. */
  async remove(texts: readonly string[]): Promise<RemovedImage[]> {
    const store = await this.store();
    const removed: RemovedImage[] = [];
    for (const text of texts) {
      const image = await this.get(text);
      const name = image.names.includes(text) ? text : (await this.#localCandidates(text).catch(() => []))
        .map((r) => formatReference(r)).find((n) => image.names.includes(n));
      removed.push(await store.remove(image, name));
    }
    return removed;
  }

  /** Gives a stored image another name. */
  async tag(source: string, target: string): Promise<void> {
    const image = await this.get(source);
    const [reference] = await this.candidates(target);
    if (reference === undefined || reference.tag === undefined || reference.digest !== undefined) {
      throw new ImageError('ISOLA_IMAGE_REFERENCE_INVALID', `cannot tag with ${target}: a tag name must not carry a digest`, target);
    }
    (await this.store()).addName(image.id, formatReference(reference));
  }

  /** Pushes a stored image to `destination` (default: its name). @returns the manifest digest */
  async push(source: string, destination: string | undefined, options: PushOptions = {}): Promise<string> {
    const image = await this.get(source);
    const target = parseReference(destination ?? source).reference;
    return pushImage({ image, reference: target, store: await this.store(), client: await this.#client(target.registry, options), onProgress: options.onProgress });
  }

  /** Loads a docker-archive or oci-archive from a file or a stream. @returns the loaded images */
  async load(archive: TarballSource): Promise<ImageRecord[]> {
    const store = await this.store();
    const ids = await loadArchive(store, archive);
    return ids.map((id) => store.find(id)).filter((image) => image !== undefined);
  }

  /** Writes the named images into one archive. */
  async save(texts: readonly string[], output: string, format: ArchiveFormat): Promise<void> {
    const images = [];
    for (const text of texts) images.push(await this.get(text));
    await saveArchive(await this.store(), images, output, format);
  }

  /**
   * A rootfs tarball (a file or a stream) as a one-layer image; a short name
   * is stored under `localhost/`, as podman does. @returns the image
   * @throws InvalidOptionError for a bad `changes` line; ImageError
   */
  async import(tarball: TarballSource, name: string | undefined, options: ImportImageOptions = {}): Promise<ImageRecord> {
    const runConfig = parseImportChanges(options.changes ?? []);
    let stored: string | undefined;
    if (name !== undefined) {
      const parsed = parseReference(name);
      stored = formatReference(parsed.isShortName ? withRegistry(parsed, 'localhost') : parsed.reference);
    }
    const store = await this.store();
    return store.find(await importRootfs(store, tarball, { name: stored, runConfig, message: options.message }))!;
  }

  /**
   * Checks the credentials against the registry, then stores them in the auth
   * file, or through the credential helper it names for the registry.
   * @returns where they went: the file, or `docker-credential-NAME`
   */
  async login(registry: string, credentials: Credentials, options: RegistryAccessOptions = {}): Promise<string> {
    await (await this.#client(registry, options, credentials)).checkLogin();
    return storeCredentials(this.#settings.authFile, registry, credentials, { searchPath: this.#settings.searchPath });
  }

  /** @returns false when neither the auth file nor its helper held credentials for the registry */
  async logout(registry: string): Promise<boolean> {
    return removeCredentials(this.#settings.authFile, registry, { searchPath: this.#settings.searchPath });
  }

  async close(): Promise<void> {
    const store = await this.#store?.catch(() => undefined);
    store?.close();
  }
}
