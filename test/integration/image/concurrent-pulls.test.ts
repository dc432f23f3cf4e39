/**
 * Several isola processes pulling and removing images in the same root at once
 * (the image database's transactions and the blob store's per-blob locks):
 * every command succeeds and the store ends consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBusyboxImage, pushWithSkopeo } from '../../fixtures/busybox-image.ts';
import { registryForFile, requireRegistry } from '../../helpers/registry-for-file.ts';
import { requireCommand } from '../../helpers/requirements.ts';
import { runIsola } from '../../helpers/run-cli.ts';
import { withTempDirs } from '../../helpers/temp-dirs.ts';

const fixture = registryForFile({
  name: 'concurrent-pulls',
  setup: async ({ registry, work }) => {
    const image = await buildBusyboxImage(join(work, 'layout'));
    for (const tag of ['a', 'b', 'c', 'd']) await pushWithSkopeo(image, `${registry.host}/same/image:${tag}`);
  },
});

test('four isola processes pulling the same image at once all succeed, storing each blob and unpacked layer once', async (t) => {
  if (!requireRegistry(t) || !requireCommand(t, 'skopeo')) return;
  await withTempDirs(async (dirs) => {
    const names = ['a', 'b', 'c', 'd'].map((tag) => `${fixture.registry.host}/same/image:${tag}`);
    const results = await Promise.all(names.map((name) => runIsola([...dirs.args, 'pull', '--tls-verify=false', name])));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const listed = JSON.parse((await runIsola([...dirs.args, 'images', '--format', 'json'])).stdout) as { Names: string[] }[];
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0]?.Names.sort(), names.sort());
    assert.equal((await readdir(join(dirs.root, 'images', 'blobs', 'sha256'))).length, 3, 'manifest, config and layer, once each');
    assert.equal((await readdir(join(dirs.root, 'images', 'layers'))).length, 1, 'the layer unpacked once, shared by all four names');
    const removed = await Promise.all(names.map((name) => runIsola([...dirs.args, 'rmi', name])));
    for (const result of removed) assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'blobs', 'sha256')), []);
    assert.deepEqual(await readdir(join(dirs.root, 'images', 'layers')), []);
  });
});
