/**
 * `load`: images from a docker-archive (manifest.json with RepoTags, docker
 * save's format) or an oci-archive (an OCI image layout: oci-layout,
 * index.json, blobs/) into the store. Every blob is checked against its digest
 * (OCI) or named by it (docker's files), and a docker archive's image gets a
 * docker v2 schema 2 manifest made for it, as its registry would serve.
 */
import { access, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from '../errors.ts';
import { isDigest, type Digest } from '../digest.ts';
import { MEDIA_TYPES, hostPlatform, parseImageConfig, parseManifest, selectPlatform, type Descriptor } from '../manifest.ts';
import { formatReference, parseReference } from '../reference.ts';
import { detectCompression } from '../tar/decompress.ts';
import type { ImageStore, LayerRecord } from '../image-store.ts';
import { extractArchive } from './extract-archive.ts';
import { copyTarball, type TarballSource } from './import-rootfs.ts';

const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

function invalid(archive: string, why: string): ImageError {
  return new ImageError('ISOLA_IMAGE_ARCHIVE_INVALID', `the archive ${archive} is not a docker-archive or oci-archive: ${why}`, archive,
    { hint: 'make it with isola save, podman save, docker save or skopeo copy' });
}

async function readJson(archive: string, path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw invalid(archive, `cannot read ${path.split('/').pop()}: ${(error as Error).message}`);
  }
}

/** A name as the store keeps it, or undefined for names that are not references. */
function storedName(text: string): string | undefined {
  try {
    return formatReference(parseReference(text).reference);
  } catch {
    return undefined;
  }
}

async function layerMediaType(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(8), 0, 8, 0);
    const compression = detectCompression(buffer.subarray(0, Math.max(bytesRead, 4)));
    return compression === 'gzip' ? MEDIA_TYPES.dockerLayerGzip : compression === 'zstd' ? MEDIA_TYPES.ociLayerZstd : DOCKER_LAYER_TAR;
  } finally {
    await file.close();
  }
}

interface DockerEntry { Config?: unknown; RepoTags?: unknown; Layers?: unknown }

async function loadDocker(store: ImageStore, archive: string, dir: string, entries: unknown): Promise<string[]> {
  if (!Array.isArray(entries)) throw invalid(archive, 'manifest.json is not a list');
  const stored = new Map<string, { digest: Digest; size: number }>();
  // A file shared by two entries is moved into the store once.
  const put = async (relative: string): Promise<{ digest: Digest; size: number }> => {
    const known = stored.get(relative);
    if (known !== undefined) return known;
    if (relative.split('/').includes('..')) throw invalid(archive, `manifest.json names ${relative}`);
    const result = await store.blobs.putFile(join(dir, relative), archive);
    stored.set(relative, result);
    return result;
  };
  const ids: string[] = [];
  for (const entry of entries as DockerEntry[]) {
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || !entry.Layers.every((l) => typeof l === 'string')) {
      throw invalid(archive, 'a manifest.json entry lacks Config or Layers');
    }
    const mediaTypes = await Promise.all((entry.Layers as string[]).map((l) => stored.has(l) ? DOCKER_LAYER_TAR : layerMediaType(join(dir, l))));
    const config = await put(entry.Config);
    const parsed = parseImageConfig(await store.blobs.read(config.digest), archive);
    const blobs = [];
    for (const layer of entry.Layers as string[]) blobs.push(await put(layer));
    if (parsed.rootfs.diff_ids.length !== blobs.length) throw invalid(archive, `an image has ${blobs.length} layers but its config lists ${parsed.rootfs.diff_ids.length}`);
    const layers: LayerRecord[] = blobs.map((b, i) => ({ diffId: parsed.rootfs.diff_ids[i]!, blobDigest: b.digest, blobSize: b.size, mediaType: mediaTypes[i]! }));
    const manifest = {
      schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.blobDigest, size: l.blobSize })),
    };
    const manifestDigest = await store.blobs.putContent(Buffer.from(JSON.stringify(manifest)), archive);
    const names = (Array.isArray(entry.RepoTags) ? entry.RepoTags : []).map((t) => storedName(String(t))).filter((n) => n !== undefined);
    ids.push(store.recordImage({ names, manifestDigest, manifestMediaType: MEDIA_TYPES.dockerManifest, configDigest: config.digest, created: parsed.created, layers }));
  }
  return ids;
}

async function putOciBlob(store: ImageStore, archive: string, dir: string, descriptor: Descriptor): Promise<void> {
  if (await store.blobs.has(descriptor.digest)) return;
  await store.blobs.putFile(join(dir, 'blobs', 'sha256', descriptor.digest.slice(7)), archive, descriptor.digest).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(archive, `blob ${descriptor.digest} is missing`);
    throw error;
  });
}

async function loadOciManifest(store: ImageStore, archive: string, dir: string, descriptor: Descriptor, name: string | undefined): Promise<string> {
  await putOciBlob(store, archive, dir, descriptor);
  const parsed = parseManifest(await store.blobs.read(descriptor.digest), archive, descriptor.mediaType);
  if (parsed.kind === 'index') {
    return loadOciManifest(store, archive, dir, selectPlatform(parsed, hostPlatform(), archive), name);
  }
  await putOciBlob(store, archive, dir, parsed.config);
  for (const layer of parsed.layers) await putOciBlob(store, archive, dir, layer);
  const config = parseImageConfig(await store.blobs.read(parsed.config.digest), archive);
  if (config.rootfs.diff_ids.length !== parsed.layers.length) throw invalid(archive, 'the config and manifest disagree on the layers');
  return store.recordImage({
    names: name === undefined ? [] : [name], manifestDigest: descriptor.digest, manifestMediaType: parsed.mediaType || descriptor.mediaType,
    configDigest: parsed.config.digest, created: config.created,
    layers: parsed.layers.map((l, i) => ({ diffId: config.rootfs.diff_ids[i]!, blobDigest: l.digest, blobSize: l.size, mediaType: l.mediaType })),
  });
}

async function loadOci(store: ImageStore, archive: string, dir: string): Promise<string[]> {
  const index = parseManifest(await readFile(join(dir, 'index.json')).catch(() => { throw invalid(archive, 'no index.json'); }), archive);
  if (index.kind !== 'index') throw invalid(archive, 'index.json is not an image index');
  const ids: string[] = [];
  const raw = await readJson(archive, join(dir, 'index.json')) as { manifests?: { annotations?: Record<string, string> }[] };
  for (const [i, descriptor] of index.manifests.entries()) {
    if (!isDigest(descriptor.digest)) continue;
    const refName = raw.manifests?.[i]?.annotations?.['org.opencontainers.image.ref.name'];
    const name = refName === undefined ? undefined : storedName(refName);
    ids.push(await loadOciManifest(store, archive, dir, descriptor, name !== undefined && refName?.includes('/') === true ? name : undefined));
  }
  return ids;
}

/**
 * Loads every image in the archive (a file, or a stream such as stdin); returns
 * their ids, each once (an oci-archive lists an image once per name).
 * @throws ImageError ISOLA_IMAGE_ARCHIVE_INVALID, ISOLA_IMAGE_DIGEST_MISMATCH
 */
export async function loadArchive(store: ImageStore, source: TarballSource): Promise<string[]> {
  const archive = typeof source === 'string' ? source : source.label;
  const dir = join(await store.newLayerTempDir(), 'archive');
  try {
    await mkdir(dir);
    // A stream is spooled first: the archive's compression is detected from its first bytes, by path.
    const path = typeof source === 'string' ? source : join(dir, '..', 'stream.tar');
    if (typeof source !== 'string') await copyTarball(source, path);
    await extractArchive(path, dir, archive);
    const isDocker = await access(join(dir, 'manifest.json')).then(() => true, () => false);
    const ids = isDocker ? await loadDocker(store, archive, dir, await readJson(archive, join(dir, 'manifest.json'))) : await loadOci(store, archive, dir);
    return [...new Set(ids)];
  } finally {
    await rm(join(dir, '..'), { recursive: true, force: true });
  }
}
