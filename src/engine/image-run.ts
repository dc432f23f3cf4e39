/**
 * The image side of `run`: find the image (pulling it per `--pull`), unpack
 * the layers not unpacked yet, and read what sizes its auto range (the
 * highest uid/gid in its files and in its /etc/passwd and /etc/group).
 */
import { ensureImageUnpacked, ImageError, type ImageConfig, type ImageRecord, type PullEvent } from '../image/index.ts';
import { parseGroup, parsePasswd, readFileInRoot } from '../spec/index.ts';
import type { ImageService, RegistryAccessOptions } from './images.ts';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface RunImageRequest {
  readonly image: string;
  /** @default 'missing' */
  readonly pull?: PullPolicy | undefined;
  /** How a pull reaches the registry (--tls-verify, --cert-dir, --creds). */
  readonly access?: Omit<RegistryAccessOptions, 'signal'> | undefined;
  readonly onPullProgress?: ((event: PullEvent) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface RunImage {
  readonly image: ImageRecord;
  readonly config: ImageConfig;
  /** Unpacked layer directories, bottom first. */
  readonly layerDirs: readonly string[];
  /** The highest uid or gid the image's files or users have. */
  readonly maxId: number;
}

async function findOrPull(images: ImageService, request: RunImageRequest): Promise<ImageRecord> {
  const policy = request.pull ?? 'missing';
  const local = policy === 'always' ? undefined : await images.find(request.image);
  if (local !== undefined) return local;
  if (policy === 'never') {
    throw new ImageError('ISOLA_IMAGE_NOT_FOUND', `image ${request.image} is not stored and --pull=never forbids pulling it`, request.image,
      { hint: `isola pull ${request.image}, or run with --pull=missing` });
  }
  return images.pull(request.image, { ...request.access, onProgress: request.onPullProgress, signal: request.signal });
}

/** Ids named in the topmost layer's /etc/passwd and /etc/group (the copy a container sees, whiteouts aside). */
async function maxUserFileId(layerDirs: readonly string[]): Promise<number> {
  for (let i = layerDirs.length - 1; i >= 0; i--) {
    const passwd = await readFileInRoot(layerDirs[i]!, '/etc/passwd');
    if (passwd === undefined) continue;
    const group = await readFileInRoot(layerDirs[i]!, '/etc/group') ?? '';
    const ids = [...parsePasswd(passwd).flatMap((e) => [e.uid, e.gid]), ...parseGroup(group).map((e) => e.gid)];
    return Math.max(0, ...ids);
  }
  return 0;
}

export async function prepareRunImage(images: ImageService, request: RunImageRequest): Promise<RunImage> {
  const image = await findOrPull(images, request);
  const store = await images.store();
  // Layers of a loaded or imported image, or one pulled with unpack: false, are unpacked now.
  const unpacked = await ensureImageUnpacked(store, image.layers, await images.unpacking(request.signal));
  const layerDirs = image.layers.map((layer) => store.layerPath(layer.diffId));
  const { config } = await images.details(image);
  const maxId = Math.max(0, ...unpacked.flatMap((l) => [l.maxUid, l.maxGid]), await maxUserFileId(layerDirs));
  return { image, config, layerDirs, maxId };
}
