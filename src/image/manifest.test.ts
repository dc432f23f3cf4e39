import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerCompression, MEDIA_TYPES, parsePlatform, parseImageConfig, parseManifest, selectPlatform, type ImageIndex } from './manifest.ts';

const D = (c: string): `sha256:${string}` => `sha256:${c.repeat(64)}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

test('a docker schema 2 manifest parses with its config and layers', () => {
  const m = parseManifest(json({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, digest: D('a'), size: 10 },
    layers: [{ mediaType: MEDIA_TYPES.dockerLayerGzip, digest: D('b'), size: 20 }] }), 'x');
  assert.equal(m.kind, 'manifest');
  assert.equal(m.kind === 'manifest' && m.layers[0]?.digest, D('b'));
});

test('an OCI index without mediaType takes it from the content type', () => {
  const m = parseManifest(json({ schemaVersion: 2, manifests: [] }), 'x', `${MEDIA_TYPES.ociIndex}; charset=utf-8`);
  assert.equal(m.kind, 'index');
  assert.equal(m.mediaType, MEDIA_TYPES.ociIndex);
});

test('schema 1 is ISOLA_IMAGE_MANIFEST_UNSUPPORTED, a bad digest is ISOLA_IMAGE_MANIFEST_INVALID', () => {
  assert.throws(() => parseManifest(json({ schemaVersion: 1 }), 'x'), (e: { code?: string }) => e.code === 'ISOLA_IMAGE_MANIFEST_UNSUPPORTED');
  assert.throws(() => parseManifest(json({ schemaVersion: 2, config: { mediaType: 'a', digest: 'sha256:zz', size: 1 }, layers: [] }), 'x'),
    (e: { code?: string }) => e.code === 'ISOLA_IMAGE_MANIFEST_INVALID');
  assert.throws(() => parseImageConfig(json({ rootfs: { diff_ids: ['nope'] } }), 'x'), (e: { code?: string }) => e.code === 'ISOLA_IMAGE_MANIFEST_INVALID');
});

test('platform selection prefers the exact variant and falls back to the architecture', () => {
  const index: ImageIndex = { kind: 'index', mediaType: MEDIA_TYPES.ociIndex, manifests: [
    { mediaType: MEDIA_TYPES.ociManifest, digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { mediaType: MEDIA_TYPES.ociManifest, digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { mediaType: MEDIA_TYPES.ociManifest, digest: D('3'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
  ] };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'x').digest, D('2'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64', variant: 'v2' }, 'x').digest, D('3'));
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }, 'x'), (e: { code?: string }) => e.code === 'ISOLA_IMAGE_PLATFORM_NOT_FOUND');
});

test('layer compression follows the media type', () => {
  assert.equal(layerCompression(MEDIA_TYPES.dockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MEDIA_TYPES.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MEDIA_TYPES.ociLayer), 'none');
  assert.equal(layerCompression('application/x-unknown'), undefined);
});

test('a platform is os/arch with an optional variant', () => {
  assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: undefined });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  for (const bad of ['linux', 'linux/', '/amd64', 'linux/arm/', 'a/b/c/d']) {
    assert.throws(() => parsePlatform(bad), (e: { code?: string }) => e.code === 'ISOLA_IMAGE_REFERENCE_INVALID', bad);
  }
});
