/**
 * `pull`: one image from a registry into the store. The manifest (through an
 * index, by platform) and config come first; then the layers download
 * concurrently, each verified while streaming and, when asked, unpacked as soon
 * as it is complete; the image is recorded last, so a failed pull leaves no
 * image, only verified blobs (reused next time) and partial downloads (resumed).
 */
import { ImageError } from './errors.ts';
import { type Digest } from './digest.ts';
import { formatReference, manifestReference, type ImageReference } from './reference.ts';
import { hostPlatform, layerCompression, parseImageConfig, parseManifest, selectPlatform, type ImageManifest, type Platform } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';
import type { ImageRecord, ImageStore, LayerRecord } from './image-store.ts';
import type { PullEvent } from './pull-events.ts';
import { ensureLayerUnpacked, type LayerUnpacking } from './layer-unpack.ts';

export interface PullImageOptions {
  /** Fully qualified. */
  readonly reference: ImageReference;
  readonly client: RegistryClient;
  readonly store: ImageStore;
  /** @default the host's (linux/amd64 here) */
  readonly platform?: Platform | undefined;
  /** Layers downloaded at once. @default 4 */
  readonly concurrency?: number | undefined;
  /** Unpack each layer once downloaded. @default layers stay packed until a run needs them */
  readonly unpacking?: LayerUnpacking | undefined;
  readonly onProgress?: ((event: PullEvent) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface ResolvedManifest {
  readonly manifest: ImageManifest;
  readonly bytes: Buffer;
  readonly digest: Digest;
}

async function resolveManifest(options: PullImageOptions, subject: string): Promise<ResolvedManifest> {
  const { client, reference } = options;
  let fetched = await client.getManifest(reference.repository, manifestReference(reference));
  let parsed = parseManifest(fetched.bytes, subject, fetched.mediaType);
  if (parsed.kind === 'index') {
    const chosen = selectPlatform(parsed, options.platform ?? hostPlatform(), subject);
    fetched = await client.getManifest(reference.repository, chosen.digest);
    parsed = parseManifest(fetched.bytes, subject, fetched.mediaType);
    if (parsed.kind === 'index') throw new ImageError('ISOLA_IMAGE_MANIFEST_UNSUPPORTED', `${subject}: an index inside an index`, subject);
  }
  return { manifest: parsed, bytes: fetched.bytes, digest: fetched.digest };
}

/** Runs `work` over `items` with at most `limit` at once; the first failure rejects (the rest still settle). */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return results;
}

async function fetchBlob(options: PullImageOptions, digest: Digest, size: number, subject: string, report: boolean): Promise<void> {
  const { client, store, reference, onProgress } = options;
  const fetched = await store.blobs.ingest(digest, (offset) => client.getBlob(reference.repository, digest, offset), {
    size, subject, signal: options.signal,
    onBytes: report ? (bytes) => onProgress?.({ kind: 'layer-progress', digest, bytes, size }) : undefined,
  });
  if (report) onProgress?.(fetched ? { kind: 'layer-downloaded', digest, size } : { kind: 'layer-exists', digest, size });
}

/**
 * Pulls `reference` and records it under its name (tag references) in the store.
 * @throws RegistryError, ImageError (ISOLA_IMAGE_DIGEST_MISMATCH: nothing of that blob is kept)
 */
export async function pullImage(options: PullImageOptions): Promise<ImageRecord> {
  const { store, reference, onProgress } = options;
  const subject = formatReference(reference);
  const { manifest, bytes, digest } = await resolveManifest(options, subject);
  for (const layer of manifest.layers) {
    if (layerCompression(layer.mediaType) === undefined) {
      throw new ImageError('ISOLA_IMAGE_MANIFEST_UNSUPPORTED', `${subject} has a layer of media type ${layer.mediaType}`, subject,
        { hint: 'isola reads tar layers, uncompressed, gzip or zstd' });
    }
  }
  onProgress?.({ kind: 'resolved', reference: subject, manifestDigest: digest, layers: manifest.layers.map((l) => ({ digest: l.digest, size: l.size })) });
  await fetchBlob(options, manifest.config.digest, manifest.config.size, subject, false);
  const config = parseImageConfig(await store.blobs.read(manifest.config.digest), subject);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError('ISOLA_IMAGE_MANIFEST_INVALID', `${subject} has ${manifest.layers.length} layers but its config lists ${config.rootfs.diff_ids.length}`, subject);
  }
  const layers: LayerRecord[] = manifest.layers.map((l, i) => ({ diffId: config.rootfs.diff_ids[i]!, blobDigest: l.digest, blobSize: l.size, mediaType: l.mediaType }));
  await mapConcurrently(layers, options.concurrency ?? 4, async (layer) => {
    await fetchBlob(options, layer.blobDigest, layer.blobSize, subject, true);
    if (options.unpacking !== undefined) {
      await ensureLayerUnpacked(store, layer, options.unpacking);
      onProgress?.({ kind: 'layer-unpacked', digest: layer.blobDigest, diffId: layer.diffId });
    }
  });
  await store.blobs.putBytes(digest, bytes, subject);
  const names = reference.tag === undefined ? [] : [formatReference({ ...reference, digest: undefined })];
  const id = store.recordImage({
    names, manifestDigest: digest, manifestMediaType: manifest.mediaType, configDigest: manifest.config.digest,
    created: config.created, layers,
  });
  onProgress?.({ kind: 'stored', imageId: id });
  return store.find(id)!;
}
