/**
 * `import`: a root filesystem tarball (tar, tar.gz or tar.zst) becomes a
 * one-layer image: the tarball is the layer as it is, its config records the
 * uncompressed digest (diffId) and the host platform, and an OCI manifest
 * ties them together.
 */
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
}

const LAYER_TYPES = { gzip: MEDIA_TYPES.ociLayerGzip, zstd: MEDIA_TYPES.ociLayerZstd, none: MEDIA_TYPES.ociLayer } as const;

/** @returns the new image's id */
export async function importRootfs(store: ImageStore, tarball: string, options: ImportOptions = {}): Promise<string> {
  const temp = await store.newLayerTempDir();
  try {
    const copy = join(temp, 'layer');
    await copyFile(tarball, copy).catch((error: unknown) => {
      throw new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `cannot read ${tarball}: ${(error as Error).message}`, tarball, { cause: error });
    });
    const { stream, compression } = await openDecompressed(copy);
    const hash = newDigester();
    for await (const chunk of stream) hash.update(chunk as Buffer);
    const diffId: Digest = `sha256:${hash.digest('hex')}`;
    const { digest: layerDigest, size: layerSize } = await store.blobs.putFile(copy, tarball);
    const created = options.created ?? new Date().toISOString();
    const platform = hostPlatform();
    const config = {
      created, architecture: platform.architecture, os: platform.os, config: { ...options.runConfig },
      rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created, created_by: 'isola import' }],
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
