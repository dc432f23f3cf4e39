/**
 * `push`: an image from the store to a registry, blobs first (each skipped
 * when the registry has it), the manifest last, as the distribution spec
 * requires: a registry refuses a manifest whose blobs it lacks.
 */
import { open } from 'node:fs/promises';
import { manifestReference, formatReference, type ImageReference } from './reference.ts';
import type { RegistryClient } from './registry-client.ts';
import type { ImageRecord, ImageStore } from './image-store.ts';
import type { PushEvent } from './pull-events.ts';
import { mapConcurrently } from './pull.ts';
import type { Digest } from './digest.ts';

export interface PushImageOptions {
  readonly image: ImageRecord;
  /** Fully qualified destination. */
  readonly reference: ImageReference;
  readonly client: RegistryClient;
  readonly store: ImageStore;
  /** @default 4 */
  readonly concurrency?: number | undefined;
  readonly onProgress?: ((event: PushEvent) => void) | undefined;
}

async function pushBlob(options: PushImageOptions, digest: Digest, size: number): Promise<void> {
  const { client, reference, store, onProgress } = options;
  if (await client.hasBlob(reference.repository, digest)) {
    onProgress?.({ kind: 'blob-exists', digest, size });
    return;
  }
  const file = await open(store.blobs.path(digest), 'r');
  try {
    await client.putBlob(reference.repository, digest, size, async (offset, length) => {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, offset);
      return buffer.subarray(0, bytesRead);
    }, (bytes) => onProgress?.({ kind: 'blob-progress', digest, bytes, size }));
  } finally {
    await file.close();
  }
  onProgress?.({ kind: 'blob-pushed', digest, size });
}

/** @returns the manifest digest the registry now serves */
export async function pushImage(options: PushImageOptions): Promise<Digest> {
  const { image, store, client, reference } = options;
  const blobs = [...image.layers.map((l) => ({ digest: l.blobDigest, size: l.blobSize })),
    { digest: image.configDigest, size: await store.blobs.size(image.configDigest) }];
  await mapConcurrently(blobs, options.concurrency ?? 4, (blob) => pushBlob(options, blob.digest, blob.size));
  const manifest = await store.blobs.read(image.manifestDigest);
  await client.putManifest(reference.repository, manifestReference(reference), manifest, image.manifestMediaType);
  options.onProgress?.({ kind: 'manifest-pushed', reference: formatReference(reference), digest: image.manifestDigest });
  return image.manifestDigest;
}
