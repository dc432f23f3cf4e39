import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readFile, readlink, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unpackLayer } from './unpack-layer.ts';
import { scratchDir, sparseEntryBytes, tarBytes, writeLayer } from './layer-fixture.test-helper.ts';
import type { TarWriteItem } from '../tar/tar-writer.ts';

const rootOnly = process.getuid?.() === 0 ? false : 'needs root (chown, mknod, trusted xattrs)';
const cap = Buffer.from('0100000200100000000000000000000000000000', 'hex'); // v2, cap_net_raw effective+permitted

const getXattr = (path: string, name: string): string =>
  execFileSync('getfattr', ['-h', '--only-values', '-n', name, path], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });

const items: TarWriteItem[] = [
  // Children first: the directory's own entry comes last, as some producers write it.
  { entry: { path: 'etc/passwd', type: 'file', size: 5, mode: 0o644, uid: 0, gid: 0, mtime: 1600000000 }, body: Buffer.from('root\n') },
  { entry: { path: 'etc', type: 'directory', mode: 0o555, uid: 0, gid: 0, mtime: 1500000000 } },
  { entry: { path: 'tmp', type: 'directory', mode: 0o1777, mtime: 1500000000 } },
  { entry: { path: 'tmp/shared', type: 'file', size: 0, mode: 0o666 } }, // a mode the umask would mask
  { entry: { path: 'bin/su', type: 'file', size: 2, mode: 0o4755, uid: 0, gid: 42, mtime: 1600000000 }, body: Buffer.from('su') },
  { entry: { path: 'bin/ping', type: 'file', size: 4, mode: 0o755, uid: 1000, gid: 1000, xattrs: new Map([['security.capability', cap], ['user.origin', Buffer.from('test')]]) }, body: Buffer.from('ping') },
  { entry: { path: 'bin/sh', type: 'symlink', linkPath: '/bin/busybox', uid: 5, gid: 6, mtime: 1400000000 } },
  { entry: { path: 'bin/su-link', type: 'hardlink', linkPath: 'bin/su' } },
  { entry: { path: 'dev/null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 } },
  { entry: { path: 'run/fifo', type: 'fifo', mode: 0o620, uid: 3, gid: 4 } },
  { entry: { path: `${'long-directory-name/'.repeat(12)}file`, type: 'file', size: 1 }, body: Buffer.from('x') },
  { entry: { path: 'var/lib/.wh.gone', type: 'file', size: 0, uid: 7, gid: 8 } },
  { entry: { path: 'opt/.wh..wh..opq', type: 'file', size: 0 } },
  { entry: { path: 'opt/kept', type: 'file', size: 0 } },
];

test('a layer unpacks with owners, modes, set-id bits, times, links, nodes, xattrs and whiteouts', { skip: rootOnly }, async (t) => {
  const dir = await scratchDir(t);
  const blob = await writeLayer(dir, 'layer.tar.gz', items);
  const target = join(dir, 'out');
  const result = await unpackLayer({ blob, target, whiteouts: 'overlay' });
  const tar = await tarBytes(items);
  assert.equal(result.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  assert.equal(result.size, tar.length);
  assert.deepEqual([result.maxUid, result.maxGid, result.skippedDevices], [1000, 1000, 0]);

  const etc = await stat(join(target, 'etc'));
  assert.deepEqual([etc.mode & 0o7777, etc.mtimeMs], [0o555, 1500000000000]);
  assert.equal(await readFile(join(target, 'etc/passwd'), 'utf8'), 'root\n');
  assert.equal((await stat(join(target, 'tmp'))).mode & 0o7777, 0o1777);
  assert.equal((await stat(join(target, 'tmp/shared'))).mode & 0o7777, 0o666);
  const su = await stat(join(target, 'bin/su'));
  assert.deepEqual([su.mode & 0o7777, su.uid, su.gid, su.mtimeMs, su.nlink], [0o4755, 0, 42, 1600000000000, 2]);
  assert.equal((await stat(join(target, 'bin/su-link'))).ino, su.ino);
  const ping = await stat(join(target, 'bin/ping'));
  assert.deepEqual([ping.uid, ping.gid], [1000, 1000]);
  assert.equal(Buffer.from(getXattr(join(target, 'bin/ping'), 'security.capability'), 'latin1').toString('hex'), cap.toString('hex'));
  assert.equal(getXattr(join(target, 'bin/ping'), 'user.origin'), 'test');
  const sh = await lstat(join(target, 'bin/sh'));
  assert.deepEqual([sh.isSymbolicLink(), sh.uid, sh.gid, sh.mtimeMs], [true, 5, 6, 1400000000000]);
  assert.equal(await readlink(join(target, 'bin/sh')), '/bin/busybox');
  const devNull = await lstat(join(target, 'dev/null'));
  assert.deepEqual([devNull.isCharacterDevice(), devNull.rdev, devNull.mode & 0o7777], [true, 0x103, 0o666]);
  const fifo = await lstat(join(target, 'run/fifo'));
  assert.deepEqual([fifo.isFIFO(), fifo.mode & 0o7777, fifo.uid, fifo.gid], [true, 0o620, 3, 4]);
  assert.equal(await readFile(join(target, `${'long-directory-name/'.repeat(12)}file`), 'utf8'), 'x');
  const gone = await lstat(join(target, 'var/lib/gone'));
  assert.deepEqual([gone.isCharacterDevice(), gone.rdev, gone.uid, gone.gid], [true, 0, 7, 8]);
  assert.deepEqual(await readdir(join(target, 'var/lib')), ['gone']);
  assert.equal(getXattr(join(target, 'opt'), 'trusted.overlay.opaque'), 'y');
  assert.deepEqual(await readdir(join(target, 'opt')), ['kept']);
  assert.equal((await stat(target)).mode & 0o777, 0o755);
});

test("whiteouts 'overlay-userxattr' marks opaque directories with user.overlay.opaque", async (t) => {
  const dir = await scratchDir(t);
  const blob = await writeLayer(dir, 'layer.tar', [{ entry: { path: 'opt/.wh..wh..opq', type: 'file', size: 0 } }], 'none');
  await unpackLayer({ blob, target: join(dir, 'out'), whiteouts: 'overlay-userxattr' });
  assert.equal(getXattr(join(dir, 'out/opt'), 'user.overlay.opaque'), 'y');
});

test('gzip, zstd and plain tar blobs of one layer give the same diff id', async (t) => {
  const dir = await scratchDir(t);
  const layer: TarWriteItem[] = [{ entry: { path: 'a/b', type: 'file', size: 3 }, body: Buffer.from('abc') }];
  const ids = [];
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    const blob = await writeLayer(dir, `layer.${compression}`, layer, compression);
    const result = await unpackLayer({ blob, target: join(dir, `out-${compression}`), whiteouts: 'overlay' });
    assert.equal(await readFile(join(dir, `out-${compression}/a/b`), 'utf8'), 'abc');
    ids.push(result.diffId);
  }
  assert.equal(new Set(ids).size, 1);
});

test('a sparse file from GNU tar stays sparse with its data at the right offsets', async (t) => {
  const dir = await scratchDir(t);
  await mkdir(join(dir, 'src'));
  const handle = await open(join(dir, 'src/sparse'), 'w');
  await handle.write(Buffer.from('middle'), 0, 6, 50 * 1024 * 1024);
  await handle.truncate(100 * 1024 * 1024);
  await handle.close();
  execFileSync('tar', ['--format=posix', '--sparse', '--sparse-version=1.0', '-cf', join(dir, 'layer.tar'), '-C', join(dir, 'src'), 'sparse']);
  await unpackLayer({ blob: join(dir, 'layer.tar'), target: join(dir, 'out'), whiteouts: 'overlay' });
  const info = await stat(join(dir, 'out/sparse'));
  assert.equal(info.size, 100 * 1024 * 1024);
  assert.ok(info.blocks * 512 < 1024 * 1024, `allocated ${info.blocks * 512} bytes`);
  const read = await open(join(dir, 'out/sparse'), 'r');
  const { buffer } = await read.read(Buffer.alloc(8), 0, 8, 50 * 1024 * 1024 - 1);
  await read.close();
  assert.deepEqual(buffer, Buffer.from('\0middle\0'));
});

test('a file of this layer wins over its whiteout, whichever comes first', async (t) => {
  const dir = await scratchDir(t);
  const blob = await writeLayer(dir, 'layer.tar', [
    { entry: { path: '.wh.a', type: 'file', size: 0 } },
    { entry: { path: 'a', type: 'file', size: 1 }, body: Buffer.from('a') },
    { entry: { path: 'b', type: 'file', size: 1 }, body: Buffer.from('b') },
    { entry: { path: '.wh.b', type: 'file', size: 0 } },
  ]);
  await unpackLayer({ blob, target: join(dir, 'out'), whiteouts: 'overlay' });
  assert.equal(await readFile(join(dir, 'out/a'), 'utf8'), 'a');
  assert.equal(await readFile(join(dir, 'out/b'), 'utf8'), 'b');
});

test('a later entry replaces an earlier one of another type', async (t) => {
  const dir = await scratchDir(t);
  const blob = await writeLayer(dir, 'layer.tar', [
    { entry: { path: 'x/y', type: 'file', size: 1 }, body: Buffer.from('y') },
    { entry: { path: 'x', type: 'file', size: 1 }, body: Buffer.from('x') },
    { entry: { path: 'z', type: 'symlink', linkPath: 'x' } },
    { entry: { path: 'z', type: 'directory' } },
  ]);
  await unpackLayer({ blob, target: join(dir, 'out'), whiteouts: 'overlay' });
  assert.equal(await readFile(join(dir, 'out/x'), 'utf8'), 'x');
  assert.ok((await lstat(join(dir, 'out/z'))).isDirectory());
});

test('a sparse file whose map spans several blocks unpacks with every segment in place', async (t) => {
  const dir = await scratchDir(t);
  const segments: [number, Buffer][] = Array.from({ length: 200 }, (_, i) => [i * 65536, Buffer.from(`seg${i}`)]);
  const tar = Buffer.concat([sparseEntryBytes('many', 200 * 65536, segments), Buffer.alloc(1024)]);
  const blob = await writeLayer(dir, 'layer.tar', tar, 'none');
  await unpackLayer({ blob, target: join(dir, 'out'), whiteouts: 'overlay' });
  const file = await readFile(join(dir, 'out/many'));
  assert.equal(file.length, 200 * 65536);
  for (const [offset, data] of segments) assert.deepEqual(file.subarray(offset, offset + data.length), data);
});
