import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryClient } from '../../../src/image/registry-client.ts';
import { ImageStore } from '../../../src/image/image-store.ts';
import { pullImage } from '../../../src/image/pull.ts';
import { pushImage } from '../../../src/image/push.ts';
import { parseReference, type Digest } from '../../../src/image/index.ts';
import type { PullEvent, PushEvent } from '../../../src/image/pull-events.ts';
import { buildBusyboxImage, pushWithSkopeo, type BusyboxImage } from '../../fixtures/busybox-image.ts';
import { startRegistryProxy } from '../../helpers/registry.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import type { SkippableContext } from '../../helpers/requirements.ts';

let amd64: BusyboxImage | undefined;
let arm64: BusyboxImage | undefined;

const fixture = registryForFile({
  name: 'pull',
  setup: async ({ registry, work }) => {
    amd64 = await buildBusyboxImage(join(work, 'amd64'));
    arm64 = await buildBusyboxImage(join(work, 'arm64'), { extraFiles: { 'etc/arch': 'arm64' } });
    await pushWithSkopeo(amd64, `${registry.host}/fixtures/busybox:1`);
    await pushWithSkopeo(arm64, `${registry.host}/fixtures/busybox:arm`);
  },
});

function ready(t: SkippableContext): boolean {
  return requireRegistry(t, 'skopeo');
}

async function withStore(fn: (store: ImageStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(fixture.work, 'store-'));
  const store = await ImageStore.open(join(dir, 'images'));
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

const ref = (host: string, path: string) => parseReference(`${host}/${path}`).reference;

test('a pulled image is recorded under its name with its verified blobs, and a second pull fetches no blob', async (t) => {
  if (!ready(t)) return;
  await withStore(async (store) => {
    const proxy = await startRegistryProxy(fixture.registry.host);
    try {
      const client = new RegistryClient({ registry: proxy.host, isInsecure: true });
      const events: PullEvent[] = [];
      const image = await pullImage({ reference: ref(proxy.host, 'fixtures/busybox:1'), client, store, onProgress: (e) => events.push(e) });
      assert.deepEqual(image.names, [`${proxy.host}/fixtures/busybox:1`]);
      assert.equal(image.manifestDigest, amd64!.manifestDigest);
      assert.equal(image.id, amd64!.configDigest.slice(7));
      assert.equal(await store.blobs.has(amd64!.layerDigest as Digest), true);
      assert.ok(events.some((e) => e.kind === 'layer-downloaded'));
      const blobGets = () => proxy.requests.filter((r) => r.startsWith('GET') && r.includes('/blobs/')).length;
      const before = blobGets();
      const again: PullEvent[] = [];
      await pullImage({ reference: ref(proxy.host, 'fixtures/busybox:1'), client, store, onProgress: (e) => again.push(e) });
      assert.equal(blobGets(), before);
      assert.ok(again.some((e) => e.kind === 'layer-exists'));
    } finally {
      await proxy.stop();
    }
  });
});

test('an index resolves to the manifest of the requested platform', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true });
  const entry = (image: BusyboxImage, architecture: string) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifestDigest,
    size: Buffer.from(JSON.stringify(image.manifest)).byteLength, platform: { os: 'linux', architecture },
  });
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(amd64!, 'amd64'), entry(arm64!, 'arm64')] };
  await client.putManifest('fixtures/busybox', 'multi', Buffer.from(JSON.stringify(index)), index.mediaType);
  await withStore(async (store) => {
    const arm = await pullImage({ reference: ref(fixture.registry.host, 'fixtures/busybox:multi'), client, store, platform: { os: 'linux', architecture: 'arm64' } });
    assert.equal(arm.manifestDigest, arm64!.manifestDigest);
    const amd = await pullImage({ reference: ref(fixture.registry.host, 'fixtures/busybox:multi'), client, store, platform: { os: 'linux', architecture: 'amd64' } });
    assert.equal(amd.manifestDigest, amd64!.manifestDigest);
  });
});

test('a blob served with a wrong digest fails the pull with ISOLA_IMAGE_DIGEST_MISMATCH and stores nothing of it', async (t) => {
  if (!ready(t)) return;
  const proxy = await startRegistryProxy(fixture.registry.host, { corruptBlob: amd64!.layerDigest });
  try {
    await withStore(async (store) => {
      const client = new RegistryClient({ registry: proxy.host, isInsecure: true });
      await assert.rejects(pullImage({ reference: ref(proxy.host, 'fixtures/busybox:1'), client, store }),
        (err: { code?: string }) => err.code === 'ISOLA_IMAGE_DIGEST_MISMATCH');
      assert.deepEqual(store.list(), []);
      assert.equal(await store.blobs.has(amd64!.layerDigest as Digest), false);
      assert.deepEqual((await readdir(join(store.blobs.dir, 'partial'))).filter((f) => !f.endsWith('.lock')), []);
    });
  } finally {
    await proxy.stop();
  }
});

test('a download cut off midway is resumed with a Range request by the next pull', async (t) => {
  if (!ready(t)) return;
  const proxy = await startRegistryProxy(fixture.registry.host, { cutBlobOnce: amd64!.layerDigest });
  try {
    await withStore(async (store) => {
      const client = new RegistryClient({ registry: proxy.host, isInsecure: true });
      const reference = ref(proxy.host, 'fixtures/busybox:1');
      await assert.rejects(pullImage({ reference, client, store }), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_DOWNLOAD_INCOMPLETE');
      assert.deepEqual(store.list(), []);
      const image = await pullImage({ reference, client, store });
      assert.equal(image.manifestDigest, amd64!.manifestDigest);
      assert.equal(proxy.ranges.length, 1);
      assert.match(proxy.ranges[0] ?? '', /^bytes=[1-9]\d*-$/);
    });
  } finally {
    await proxy.stop();
  }
});

test('a pushed image mounts its blobs from their repository and pulls back with the same manifest', async (t) => {
  if (!ready(t)) return;
  const client = new RegistryClient({ registry: fixture.registry.host, isInsecure: true, uploadChunkBytes: 256 * 1024 });
  await withStore(async (store) => {
    const image = await pullImage({ reference: ref(fixture.registry.host, 'fixtures/busybox:1'), client, store });
    const events: PushEvent[] = [];
    const digest = await pushImage({ image, reference: ref(fixture.registry.host, 'pushed/by-isola:v2'), client, store, onProgress: (e) => events.push(e) });
    assert.equal(digest, amd64!.manifestDigest);
    assert.ok(events.some((e) => e.kind === 'blob-mounted' && e.from === 'fixtures/busybox'), 'blobs of the same registry are mounted, not uploaded');
  });
  await withStore(async (store) => {
    const image = await pullImage({ reference: ref(fixture.registry.host, 'pushed/by-isola:v2'), client, store });
    assert.equal(image.manifestDigest, amd64!.manifestDigest);
  });
});
