import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '../../../src/image/registry-client.ts';
import { digestOf, parseManifest, type Digest } from '../../../src/image/index.ts';
import { buildBusyboxImage, pushWithSkopeo, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { startRegistry, startRegistryProxy } from '../../helpers/registry.ts';
import type { SkippableContext } from '../../helpers/requirements.ts';

let image: BusyboxImage | undefined;

const fixture = registryForFile({
  name: 'client',
  setup: async ({ registry, work }) => {
    image = await buildBusyboxImage(join(work, 'layout'));
    await pushWithSkopeo(image, `${registry.host}/fixtures/busybox:1`);
  },
});

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo');
}

test('a manifest pushed by skopeo is fetched by tag and by digest over plain HTTP', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true });
  const byTag = await client.getManifest('fixtures/busybox', '1');
  assert.equal(byTag.digest, image!.manifestDigest);
  const byDigest = await client.getManifest('fixtures/busybox', image!.manifestDigest);
  assert.deepEqual(byDigest.bytes, byTag.bytes);
  assert.equal(parseManifest(byTag.bytes, 'x', byTag.mediaType).kind, 'manifest');
});

test('a blob is fetched whole and from an offset with Range', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true });
  const digest = image!.layerDigest as Digest;
  const whole = await collect((await client.getBlob('fixtures/busybox', digest)).body);
  assert.equal(digestOf(whole), digest);
  const tail = await client.getBlob('fixtures/busybox', digest, 100);
  assert.equal(tail.offset, 100);
  assert.deepEqual(await collect(tail.body), whole.subarray(100));
});

test('a secure client does not fall back to plain HTTP', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host });
  await assert.rejects(client.getManifest('fixtures/busybox', '1'), (err: { code?: string }) => err.code === 'ISOLA_REGISTRY_UNREACHABLE');
});

test('a missing tag is ISOLA_REGISTRY_NOT_FOUND', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true });
  await assert.rejects(client.getManifest('fixtures/busybox', 'nope'), (err: { code?: string; status?: number }) => err.code === 'ISOLA_REGISTRY_NOT_FOUND' && err.status === 404);
});

test('blobs upload monolithically and in chunks, and the pushed manifest reads back', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true, uploadChunkBytes: 64 * 1024 });
  const blobs = join(image!.layout, 'blobs', 'sha256');
  for (const digest of [image!.configDigest, image!.layerDigest] as Digest[]) {
    assert.equal(await client.hasBlob('pushed/one', digest), false);
    const bytes = await readFile(join(blobs, digest.slice(7)));
    await client.putBlob('pushed/one', digest, bytes.byteLength, async (offset, length) => bytes.subarray(offset, offset + length));
    assert.equal(await client.hasBlob('pushed/one', digest), true);
  }
  const manifest = await readFile(join(blobs, image!.manifestDigest.slice(7)));
  await client.putManifest('pushed/one', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal((await client.getManifest('pushed/one', 'v1')).digest, image!.manifestDigest);
});

test('Basic auth: no credentials or wrong ones are ISOLA_REGISTRY_UNAUTHORIZED, each with its own hint; the right ones work', async (t) => {
  if (!ready(t)) return;
  const secured = await startRegistry({ basicAuth: { username: 'alice', password: 's3cret' } });
  try {
    await pushWithSkopeo(image!, `${secured.host}/a/b:1`, 'alice:s3cret');
    await assert.rejects(new RegistryClient({ registry: secured.host, isInsecure: true }).getManifest('a/b', '1'),
      (err: { code?: string; hint?: string }) => err.code === 'ISOLA_REGISTRY_UNAUTHORIZED' && /log in with isola login/.test(err.hint ?? ''));
    const wrong = new RegistryClient({ registry: secured.host, isInsecure: true, credentials: { username: 'alice', password: 'nope' } });
    await assert.rejects(wrong.getManifest('a/b', '1'),
      (err: { code?: string; hint?: string }) => err.code === 'ISOLA_REGISTRY_UNAUTHORIZED' && /refused the username and password/.test(err.hint ?? ''));
    const client = new RegistryClient({ registry: secured.host, isInsecure: true, credentials: { username: 'alice', password: 's3cret' } });
    assert.equal((await client.getManifest('a/b', '1')).digest, image!.manifestDigest);
  } finally {
    await secured.stop();
  }
});

test('Bearer: a token is fetched from the challenge realm with the credentials and reused', async (t) => {
  if (!ready(t)) return;
  const proxy = await startRegistryProxy(fixture.registry.host, { bearer: { username: 'bob', password: 'pw' } });
  try {
    await assert.rejects(new RegistryClient({ registry: proxy.host, isInsecure: true }).getManifest('fixtures/busybox', '1'),
      (err: { code?: string }) => err.code === 'ISOLA_REGISTRY_UNAUTHORIZED');
    const client = new RegistryClient({ registry: proxy.host, isInsecure: true, credentials: { username: 'bob', password: 'pw' } });
    await client.getManifest('fixtures/busybox', '1');
    await client.getManifest('fixtures/busybox', image!.manifestDigest);
    assert.equal(proxy.requests.filter((r) => r === 'GET /token').length, 2, 'one token for the failed client, one reused by the other');
  } finally {
    await proxy.stop();
  }
});
