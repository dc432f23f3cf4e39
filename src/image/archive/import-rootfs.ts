/**
 * `import`: a root filesystem tarball (tar, tar.gz or tar.zst; a file, or a
 * stream such as stdin) becomes a one-layer image: the tarball is the layer as
 * it is, its config records the uncompressed digest (diffId), the host
 * platform and the run config (`--change`), and an OCI manifest ties them together.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImageError } from '../errors.ts';
import { newDigester, type Digest } from '../digest.ts';
import { MEDIA_TYPES, hostPlatform } from '../manifest.ts';
import { openDecompressed } from '../tar/decompress.ts';
import type { ImageStore } from '../image-store.ts';

export interface ImportOptions {
  /** Stored name (fully qualified), or undefined for an unnamed image. */
  readonly name?: string | undefined;
  /** ISO 8601. @default now */
  readonly created?: string | undefined;
  /** Image config `config` fields (Cmd, Env, ...). */
  readonly runConfig?: Readonly<Record<string, unknown>> | undefined;
  /** The history entry's comment (`--message`). */
  readonly message?: string | undefined;
}

/** A tarball from a file or a stream: where it is read from, and its name in messages. */
export type TarballSource = string | { readonly stream: AsyncIterable<Uint8Array>; readonly label: string };

const LAYER_TYPES = { gzip: MEDIA_TYPES.ociLayerGzip, zstd: MEDIA_TYPES.ociLayerZstd, none: MEDIA_TYPES.ociLayer } as const;

/**
 * Copies the tarball (file or stream) to `path`.
 * @throws ImageError ISOLA_IMAGE_ARCHIVE_INVALID when it cannot be read or is empty (stdin with nothing redirected into it)
 */
export async function copyTarball(source: TarballSource, path: string): Promise<void> {
  const label = typeof source === 'string' ? source : source.label;
  try {
    if (typeof source === 'string') await copyFile(source, path);
    else await pipeline(Readable.from(source.stream), createWriteStream(path, { flags: 'wx' }));
  } catch (error) {
    throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `cannot read ${label}: ${(error as Error).message}`, label, { cause: error });
  }
  if ((await stat(path)).size === 0) {
    throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `${label} is empty, not a tar archive`, label, { hint: 'give a tar file, or redirect one into stdin' });
  }
}

/**
 * @returns the new image's id
 * @throws ImageError ISOLA_IMAGE_ARCHIVE_INVALID when the tarball cannot be read or is empty
 */
export async function importRootfs(store: ImageStore, source: TarballSource, options: ImportOptions = {}): Promise<string> {
  const tarball = typeof source === 'string' ? source : source.label;
  const temp = await store.newLayerTempDir();
  try {
    const copy = join(temp, 'layer');
    await copyTarball(source, copy);
    const { stream, compression } = await openDecompressed(copy);
    const hash = newDigester();
    for await (const chunk of stream) hash.update(chunk as Buffer);
    const diffId: Digest = `sha256:${hash.digest('hex')}`;
    const { digest: layerDigest, size: layerSize } = await store.blobs.putFile(copy, tarball);
    const created = options.created ?? new Date().toISOString();
    const platform = hostPlatform();
    const config = {
      created, architecture: platform.architecture, os: platform.os, config: { ...options.runConfig },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: 'isola import', ...options.message === undefined ? {} : { comment: options.message } }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = await store.blobs.putContent(configBytes, tarball);
    const mediaType = LAYER_TYPES[compression];
    const manifest = {
      schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.byteLength },
      layers: [{ mediaType, digest: layerDigest, size: layerSize }],
    };
    const manifestDigest = await store.blobs.putContent(Buffer.from(JSON.stringify(manifest)), tarball);
    return store.recordImage({
      names: options.name === undefined ? [] : [options.name], manifestDigest, manifestMediaType: MEDIA_TYPES.ociManifest, configDigest, created,
      layers: [{ diffId, blobDigest: layerDigest, blobSize: layerSize, mediaType }],
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
