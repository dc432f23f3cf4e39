/**
 * `push`: an image from the store to a registry, blobs first (each skipped
 * when the registry has it), the manifest last, as the distribution spec
 * requires: a registry refuses a manifest whose blobs it lacks.
 */
import { open } from 'node:fs/promises';
import { manifestReference, formatReference, parseReference, type ImageReference } from './reference.ts';
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

/** A repository of the destination registry the image came from: its blobs can be mounted, not uploaded. */
function mountSource(options: PushImageOptions): string | undefined {
  for (const name of options.image.names) {
    try {
      const source = parseReference(name).reference;
      if (source.registry === options.reference.registry && source.repository !== options.reference.repository) return source.repository;
    } catch {
      // A stored name that no longer parses offers nothing to mount from.
    }
  }
  return undefined;
}

async function pushBlob(options: PushImageOptions, digest: Digest, size: number): Promise<void> {
  const { client, reference, store, onProgress } = options;
  if (await client.hasBlob(reference.repository, digest)) {
    onProgress?.({ kind: 'blob-exists', digest, size });
    return;
  }
  const file = await open(store.blobs.path(digest), 'r');
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, offset);
    return buffer.subarray(0, bytesRead);
  };
  const onBytes = (bytes: number): void => onProgress?.({ kind: 'blob-progress', digest, bytes, size });
  const from = mountSource(options);
  try {
    if (from !== undefined && await client.mountOrPutBlob(reference.repository, from, digest, size, read, onBytes)) {
      onProgress?.({ kind: 'blob-mounted', digest, size, from });
      return;
    }
    if (from === undefined) await client.putBlob(reference.repository, digest, size, read, onBytes);
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
