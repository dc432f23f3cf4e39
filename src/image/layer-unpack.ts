/**
 * Unpacked layers on demand: each missing layer of an image is unpacked from
 * its stored blob into a temp directory, its diffId checked against the image
 * config's, then committed to the store (shared by every image that has it).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './errors.ts';
import type { Digest } from './digest.ts';
import type { ImageStore, LayerRecord, StoredLayer } from './image-store.ts';

/** How overlay whiteouts are written: char devices (root) or user xattrs (rootless overlay with userxattr). */
export type WhiteoutFormat = 'overlay' | 'overlay-userxattr';

/** unpackLayer's contract (tar/ of branch image-layers). */
export type UnpackLayerFn = (options: { readonly blob: string; readonly target: string; readonly whiteouts: WhiteoutFormat; readonly signal?: AbortSignal | undefined })
  => Promise<{ readonly diffId: string; readonly size: number; readonly fileCount: number; readonly maxUid: number; readonly maxGid: number }>;

export interface LayerUnpacking {
  readonly unpack: UnpackLayerFn;
  readonly whiteouts: WhiteoutFormat;
  readonly signal?: AbortSignal | undefined;
}

/** Unpacks one layer unless it is unpacked already; returns what the store records. */
export async function ensureLayerUnpacked(store: ImageStore, layer: LayerRecord, options: LayerUnpacking): Promise<StoredLayer> {
  const existing = store.unpackedLayer(layer.diffId);
  if (existing !== undefined) return existing;
  const temp = await store.newLayerTempDir();
  // unpackLayer creates its target itself, inside the temp directory.
  const target = join(temp, 'rootfs');
  try {
    const result = await options.unpack({ blob: store.blobs.path(layer.blobDigest), target, whiteouts: options.whiteouts, signal: options.signal });
    if (result.diffId !== layer.diffId) {
      throw new ImageError('ISOLA_IMAGE_DIGEST_MISMATCH', `the layer ${layer.blobDigest} unpacks to ${result.diffId}, but the image config says ${layer.diffId}`,
        layer.blobDigest, { hint: 'the image is broken: ask its publisher to rebuild it' });
    }
    const unpacked = { diffId: layer.diffId as Digest, size: result.size, fileCount: result.fileCount, maxUid: result.maxUid, maxGid: result.maxGid };
    await store.commitLayer(target, unpacked);
    return unpacked;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Every layer of an image, unpacked, bottom first. */
export async function ensureImageUnpacked(store: ImageStore, layers: readonly LayerRecord[], options: LayerUnpacking): Promise<StoredLayer[]> {
  return Promise.all(layers.map((layer) => ensureLayerUnpacked(store, layer, options)));
}
