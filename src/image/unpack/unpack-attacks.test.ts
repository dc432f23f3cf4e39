/**
 * Hostile layers: each crafted tar tries to create or change something
 * outside the target. Every test checks the outcome inside and that the
 * directory "outside" (a sibling of the target) is untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unpackLayer } from './unpack-layer.ts';
import { scratchDir, sparseEntryBytes, tarBytes, writeLayer } from './layer-fixture.test-helper.ts';
import type { TarWriteItem } from '../tar/tar-writer.ts';

interface Scene { dir: string; outside: string; target: string }

async function scene(t: { after(fn: () => Promise<void>): void }): Promise<Scene> {
  const dir = await scratchDir(t);
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 'host data');
  return { dir, outside, target: join(dir, 'target') };
}

async function assertOutsideUntouched(s: Scene): Promise<void> {
  assert.deepEqual(await readdir(s.outside), ['secret']);
  assert.equal(await readFile(join(s.outside, 'secret'), 'utf8'), 'host data');
  assert.deepEqual((await readdir(s.dir)).sort(), ['layer', 'outside', ...(await exists(s.target) ? ['target'] : [])].sort());
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function unpack(s: Scene, items: readonly TarWriteItem[] | Buffer, maxSizeBytes?: number): Promise<unknown> {
  const blob = await writeLayer(s.dir, 'layer', items);
  return unpackLayer({ blob, target: s.target, whiteouts: 'overlay', maxSizeBytes });
}

test('a ".." entry is refused, and the half-made target is removed', async (t) => {
  const s = await scene(t);
  await assert.rejects(unpack(s, [
    { entry: { path: 'ok', type: 'file', size: 0 } },
    { entry: { path: '../outside/secret', type: 'file', size: 4 }, body: Buffer.from('evil') },
  ]), { code: 'ISOLA_LAYER_UNSAFE_PATH', entry: '../outside/secret' });
  assert.equal(await exists(s.target), false);
  await assertOutsideUntouched(s);
});

test('an absolute entry path lands inside the target', async (t) => {
  const s = await scene(t);
  await unpack(s, [{ entry: { path: `${s.outside}/secret`, type: 'file', size: 4 }, body: Buffer.from('evil') }]);
  assert.equal(await readFile(join(s.target, s.outside, 'secret'), 'utf8'), 'evil');
  await assertOutsideUntouched(s);
});

test('writing through an absolute symlink stays inside the target (clamped to its root)', async (t) => {
  const s = await scene(t);
  await unpack(s, [
    { entry: { path: 'link', type: 'symlink', linkPath: s.outside } },
    { entry: { path: 'link/secret', type: 'file', size: 4 }, body: Buffer.from('evil') },
  ]);
  assert.equal(await readFile(join(s.target, s.outside, 'secret'), 'utf8'), 'evil');
  assert.equal(await readlink(join(s.target, 'link')), s.outside);
  await assertOutsideUntouched(s);
});

test('writing through a relative symlink full of ".." stays inside the target', async (t) => {
  const s = await scene(t);
  await unpack(s, [
    { entry: { path: 'a/link', type: 'symlink', linkPath: '../../../../../../outside' } },
    { entry: { path: 'a/link/secret', type: 'file', size: 4 }, body: Buffer.from('evil') },
  ]);
  assert.equal(await readFile(join(s.target, 'outside/secret'), 'utf8'), 'evil');
  await assertOutsideUntouched(s);
});

test('a hard link to a file outside the layer is refused', async (t) => {
  const s = await scene(t);
  await assert.rejects(unpack(s, [{ entry: { path: 'h', type: 'hardlink', linkPath: join(s.outside, 'secret') } }]),
    { code: 'ISOLA_LAYER_UNSAFE_LINK' });
  await assert.rejects(unpack(s, [{ entry: { path: 'h', type: 'hardlink', linkPath: '../outside/secret' } }]),
    { code: 'ISOLA_LAYER_UNSAFE_LINK' });
  assert.equal(await exists(s.target), false);
  await assertOutsideUntouched(s);
});

test('a hard link through a symlink to outside is refused', async (t) => {
  const s = await scene(t);
  await assert.rejects(unpack(s, [
    { entry: { path: 's', type: 'symlink', linkPath: s.outside } },
    { entry: { path: 'h', type: 'hardlink', linkPath: 's/secret' } },
  ]), { code: 'ISOLA_LAYER_UNSAFE_LINK' });
  assert.equal((await stat(join(s.outside, 'secret'))).nlink, 1);
  await assertOutsideUntouched(s);
});

test('a symlink swapped in for a directory mid-archive is not written through', async (t) => {
  const s = await scene(t);
  await unpack(s, [
    { entry: { path: 'd', type: 'directory' } },
    { entry: { path: 'd/first', type: 'file', size: 0 } },
    { entry: { path: 'd', type: 'symlink', linkPath: s.outside } },
    { entry: { path: 'd/secret', type: 'file', size: 4 }, body: Buffer.from('evil') },
  ]);
  assert.ok((await lstat(join(s.target, 'd'))).isSymbolicLink());
  assert.equal(await readFile(join(s.target, s.outside, 'secret'), 'utf8'), 'evil');
  await assertOutsideUntouched(s);
});

test('a file entry over an earlier device node or fifo replaces it, never writes into it', async (t) => {
  const s = await scene(t);
  await unpack(s, [
    { entry: { path: 'disk', type: 'block', devMajor: 8, devMinor: 0 } },
    { entry: { path: 'disk', type: 'file', size: 4 }, body: Buffer.from('data') },
    { entry: { path: 'pipe', type: 'fifo' } },
    { entry: { path: 'pipe', type: 'file', size: 4 }, body: Buffer.from('data') },
    { entry: { path: 'null', type: 'char', devMajor: 1, devMinor: 3 } },
    { entry: { path: 'null2', type: 'hardlink', linkPath: 'null' } },
    { entry: { path: 'null2', type: 'file', size: 4 }, body: Buffer.from('data') },
  ]);
  for (const name of ['disk', 'pipe', 'null2']) {
    assert.ok((await lstat(join(s.target, name))).isFile(), name);
    assert.equal(await readFile(join(s.target, name), 'utf8'), 'data');
  }
  await assertOutsideUntouched(s);
});

test('a 10 GB sparse bomb stays sparse, and a size limit refuses it with ISOLA_LAYER_TOO_LARGE', async (t) => {
  const s = await scene(t);
  const bomb = Buffer.concat([sparseEntryBytes('bomb', 10 * 1024 ** 3, [[10 * 1024 ** 3 - 1, Buffer.from('!')]]), Buffer.alloc(1024)]);
  await assert.rejects(unpack(s, bomb, 1024 ** 3), { code: 'ISOLA_LAYER_TOO_LARGE', entry: 'bomb' });
  assert.equal(await exists(s.target), false);
  await unpack(s, bomb);
  const info = await stat(join(s.target, 'bomb'));
  assert.equal(info.size, 10 * 1024 ** 3);
  assert.ok(info.blocks * 512 <= 64 * 1024, `allocated ${info.blocks * 512} bytes`);
  await assertOutsideUntouched(s);
});

test('a sparse map pointing past the real size is refused', async (t) => {
  const s = await scene(t);
  const bad = Buffer.concat([sparseEntryBytes('bad', 10, [[100, Buffer.from('!')]]), Buffer.alloc(1024)]);
  await assert.rejects(unpack(s, bad), { code: 'ISOLA_LAYER_TAR_INVALID' });
});

test('a symlink loop used as a parent is refused with ISOLA_LAYER_SYMLINK_LOOP', async (t) => {
  const s = await scene(t);
  await assert.rejects(unpack(s, [
    { entry: { path: 'a', type: 'symlink', linkPath: 'b' } },
    { entry: { path: 'b', type: 'symlink', linkPath: 'a' } },
    { entry: { path: 'a/x', type: 'file', size: 0 } },
  ]), { code: 'ISOLA_LAYER_SYMLINK_LOOP' });
});

test('forged overlayfs xattrs in a layer are dropped', async (t) => {
  const s = await scene(t);
  const result = await unpack(s, [{ entry: { path: 'd', type: 'directory', xattrs: new Map([
    ['trusted.overlay.redirect', Buffer.from('/outside')], ['trusted.overlay.opaque', Buffer.from('y')], ['user.overlay.opaque', Buffer.from('y')]]) } }]);
  assert.equal((result as { skippedXattrs: number }).skippedXattrs, 3);
  const { execFileSync } = await import('node:child_process');
  assert.equal(execFileSync('getfattr', ['-d', '-m', '-', join(s.target, 'd')], { encoding: 'utf8' }), '');
});

test('an existing target is refused and left as it was', async (t) => {
  const s = await scene(t);
  await mkdir(s.target);
  await writeFile(join(s.target, 'mine'), 'keep');
  await assert.rejects(unpack(s, [{ entry: { path: 'mine', type: 'file', size: 0 } }]), { code: 'ISOLA_LAYER_TARGET_EXISTS' });
  assert.equal(await readFile(join(s.target, 'mine'), 'utf8'), 'keep');
});

test('a corrupt gzip blob fails with ISOLA_LAYER_DECOMPRESS_FAILED and leaves nothing', async (t) => {
  const s = await scene(t);
  const gz = gzipSync(await tarBytes([{ entry: { path: 'a', type: 'file', size: 100000 }, body: Buffer.alloc(100000, 1) }]));
  gz.fill(0x55, 30, 60);
  await writeFile(join(s.dir, 'layer'), gz);
  await assert.rejects(unpackLayer({ blob: join(s.dir, 'layer'), target: s.target, whiteouts: 'overlay' }), { code: 'ISOLA_LAYER_DECOMPRESS_FAILED' });
  assert.equal(await exists(s.target), false);
});

test('an aborted unpack fails with ISOLA_LAYER_ABORTED and leaves nothing', async (t) => {
  const s = await scene(t);
  const controller = new AbortController();
  const blob = await writeLayer(s.dir, 'layer', [{ entry: { path: 'a', type: 'file', size: 0 } }]);
  const unpacking = unpackLayer({ blob, target: s.target, whiteouts: 'overlay', signal: controller.signal });
  controller.abort();
  await assert.rejects(unpacking, { code: 'ISOLA_LAYER_ABORTED' });
  assert.equal(await exists(s.target), false);
});
