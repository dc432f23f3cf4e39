/**
 * `save`: images from the store into one archive. Both formats are an OCI image
 * layout (oci-layout, index.json naming each image in
 * org.opencontainers.image.ref.name, blobs/sha256/ with the stored blobs as
 * they are); docker-archive adds docker's manifest.json (Config, RepoTags,
 * Layers pointing into blobs/), as docker save has written since 25.0, which
 * docker, podman and skopeo load.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, type Digest } from '../digest.ts';
import { MEDIA_TYPES } from '../manifest.ts';
import type { ImageRecord, ImageStore } from '../image-store.ts';
import { writeTar, type TarWriteItem } from '../tar/tar-writer.ts';

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

function jsonItem(path: string, value: unknown): TarWriteItem {
  const body = Buffer.from(JSON.stringify(value));
  return { entry: { path, type: 'file', size: body.byteLength, mode: 0o644 }, body };
}

async function* archiveItems(store: ImageStore, images: readonly ImageRecord[], format: ArchiveFormat): AsyncGenerator<TarWriteItem> {
  yield { entry: { path: 'blobs/', type: 'directory' } };
  yield { entry: { path: 'blobs/sha256/', type: 'directory' } };
  const written = new Set<Digest>();
  for (const image of images) {
    for (const digest of [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.blobDigest)]) {
      if (written.has(digest)) continue;
      written.add(digest);
      const path = store.blobs.path(digest);
      yield { entry: { path: `blobs/sha256/${digestHex(digest)}`, type: 'file', size: (await stat(path)).size, mode: 0o644 }, body: createReadStream(path) };
    }
  }
  yield jsonItem('oci-layout', { imageLayoutVersion: '1.0.0' });
  const manifests = await Promise.all(images.flatMap((image) => (image.names.length === 0 ? [undefined] : image.names).map(async (name) => ({
    mediaType: image.manifestMediaType, digest: image.manifestDigest, size: (await stat(store.blobs.path(image.manifestDigest))).size,
    ...(name === undefined ? {} : { annotations: { 'org.opencontainers.image.ref.name': name } }),
  }))));
  yield jsonItem('index.json', { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests });
  if (format === 'docker-archive') {
    yield jsonItem('manifest.json', images.map((image) => ({
      Config: `blobs/sha256/${digestHex(image.configDigest)}`, RepoTags: image.names,
      Layers: image.layers.map((l) => `blobs/sha256/${digestHex(l.blobDigest)}`),
    })));
  }
}

/** Writes the archive to `output` (through a temp file, renamed when complete). */
export async function saveArchive(store: ImageStore, images: readonly ImageRecord[], output: string, format: ArchiveFormat): Promise<void> {
  const temp = `${output}.${process.pid}.tmp`;
  try {
    await pipeline(Readable.from(writeTar(archiveItems(store, images, format))), createWriteStream(temp, { mode: 0o644 }));
    await rename(temp, output);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
