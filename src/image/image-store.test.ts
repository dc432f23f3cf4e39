import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore, type NewImage } from './image-store.ts';
import { digestOf, type Digest } from './digest.ts';

async function withStore(fn: (store: ImageStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-images-'));
  const store = await ImageStore.open(join(dir, 'images'));
  try {
    await fn(store);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stores blobs for an image with the given layer contents and unpacks fake layer dirs. */
async function addImage(store: ImageStore, names: string[], layers: string[], tag: string): Promise<NewImage> {
  const layerRecords = [];
  for (const content of layers) {
    const blobDigest = await store.blobs.putContent(Buffer.from(`gz:${content}`), 't');
    const diffId = digestOf(content);
    if (store.unpackedLayer(diffId) === undefined) {
      const temp = await store.newLayerTempDir();
      await writeFile(join(temp, 'file'), content);
      await store.commitLayer(temp, { diffId, size: content.length, fileCount: 1, maxUid: 0, maxGid: 0 });
    }
    layerRecords.push({ diffId, blobDigest, blobSize: content.length + 3, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });
  }
  const configDigest = await store.blobs.putContent(Buffer.from(`config ${tag}`), 't');
  const manifestDigest = await store.blobs.putContent(Buffer.from(`manifest ${tag}`), 't');
  const image: NewImage = { names, manifestDigest, manifestMediaType: 'm', configDigest, created: '2026-01-01T00:00:00Z', layers: layerRecords };
  store.recordImage(image);
  return image;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

test('a recorded image is found by name, id, id prefix and sha256:id, with its layers in order', async () => withStore(async (store) => {
  const image = await addImage(store, ['localhost/a:1'], ['base', 'top'], 'a');
  const id = image.configDigest.slice(7);
  for (const key of ['localhost/a:1', id, id.slice(0, 12), `sha256:${id}`]) assert.equal(store.find(key)?.id, id, key);
  assert.deepEqual(store.find(id)?.layers.map((l) => l.diffId), [digestOf('base'), digestOf('top')]);
  assert.equal(store.find(id)?.size, 'base'.length + 'top'.length);
  assert.equal(store.find('localhost/b:1'), undefined);
}));

test('a shared layer is unpacked once and kept until the last image using it goes', async () => withStore(async (store) => {
  const a = await addImage(store, ['localhost/a:1'], ['base', 'a-top'], 'a');
  const b = await addImage(store, ['localhost/b:1'], ['base', 'b-top'], 'b');
  assert.equal((await readdir(join(store.dir, 'layers'))).length, 3);
  const removedA = await store.remove(store.find('localhost/a:1')!, 'localhost/a:1');
  assert.deepEqual(removedA.removedLayers, [digestOf('a-top')]);
  assert.equal(await exists(store.layerPath(digestOf('base'))), true);
  assert.equal(await store.blobs.has(a.configDigest), false);
  assert.equal(await store.blobs.has(b.layers[0]!.blobDigest), true, 'the shared base blob stays');
  await store.remove(store.find('localhost/b:1')!, undefined);
  assert.deepEqual(await readdir(join(store.dir, 'layers')), []);
  assert.equal(store.unpackedLayer(digestOf('base')), undefined);
}));

test('removing one of two names keeps the image; a re-pulled name moves to the new image', async () => withStore(async (store) => {
  await addImage(store, ['localhost/a:1', 'localhost/a:latest'], ['x'], 'a');
  const removed = await store.remove(store.find('localhost/a:1')!, 'localhost/a:1');
  assert.equal(removed.isImageRemoved, false);
  assert.deepEqual(store.find('localhost/a:latest')?.names, ['localhost/a:latest']);
  await addImage(store, ['localhost/a:latest'], ['y'], 'a2');
  assert.equal(store.list().length, 2);
  assert.deepEqual(store.list().find((i) => i.names.length === 0)?.layers.map((l) => l.diffId), [digestOf('x')]);
}));

test('a layer committed twice keeps the first directory and drops the second', async () => withStore(async (store) => {
  const diffId: Digest = digestOf('same');
  for (const content of ['first', 'second']) {
    const temp = await store.newLayerTempDir();
    await writeFile(join(temp, 'file'), content);
    await store.commitLayer(temp, { diffId, size: 4, fileCount: 1, maxUid: 7, maxGid: 8 });
  }
  assert.deepEqual(store.unpackedLayer(diffId), { diffId, size: 4, fileCount: 1, maxUid: 7, maxGid: 8 });
  assert.deepEqual(await readdir(join(store.dir, 'tmp')), []);
}));

test('recording an image whose blob is missing is refused', async () => withStore(async (store) => {
  const missing = digestOf('never stored');
  assert.throws(() => store.recordImage({ names: ['x/y:1'], manifestDigest: missing, manifestMediaType: 'm', configDigest: missing, created: undefined, layers: [] }),
    (err: { code?: string }) => err.code === 'ISOLA_IMAGE_NOT_FOUND');
  assert.deepEqual(store.list(), []);
}));

test('rmi also collects layers a failed pull left unreferenced, once they are old', async () => withStore(async (store) => {
  const orphan = digestOf('orphan');
  const temp = await store.newLayerTempDir();
  await store.commitLayer(temp, { diffId: orphan, size: 1, fileCount: 1, maxUid: 0, maxGid: 0 });
  await addImage(store, ['localhost/a:1'], ['x'], 'a');
  await store.remove(store.find('localhost/a:1')!, undefined);
  assert.notEqual(store.unpackedLayer(orphan), undefined, 'a fresh orphan may belong to a pull in progress');
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(join(store.dir, 'images.db'));
  db.prepare('UPDATE layers SET unpacked_ms = 0 WHERE diff_id = ?').run(orphan);
  db.close();
  await addImage(store, ['localhost/b:1'], ['y'], 'b');
  const removed = await store.remove(store.find('localhost/b:1')!, undefined);
  assert.deepEqual(removed.removedLayers, [digestOf('y'), orphan]);
  assert.deepEqual(await readdir(join(store.dir, 'layers')), []);
}));
