import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, symlink, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarEntries } from './tar-reader.ts';
import { writeTar, type TarWriteItem } from './tar-writer.ts';
import { TarParser } from './tar-parser.ts';
import type { TarEntry } from './tar-entry.ts';

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Reads an archive fed in chunks of `chunkSize` bytes, to cross every block boundary. */
async function readAll(archive: Buffer, chunkSize = 7919): Promise<{ entry: TarEntry; data: Buffer }[]> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < archive.length; i += chunkSize) yield archive.subarray(i, i + chunkSize);
  }
  const result: { entry: TarEntry; data: Buffer }[] = [];
  for await (const { entry, body } of readTarEntries(chunks())) result.push({ entry, data: await collect(body) });
  return result;
}

const longName = `${'deep/'.repeat(60)}file-with-a-long-name.txt`;
const items: TarWriteItem[] = [
  { entry: { path: 'dir', type: 'directory', mode: 0o1777, uid: 5, gid: 6, mtime: 1700000000 } },
  { entry: { path: 'dir/hello.txt', type: 'file', size: 5, mode: 0o4755, uid: 3000000, gid: 70, mtime: 1700000000.25 }, body: Buffer.from('hello') },
  { entry: { path: longName, type: 'file', size: 1000 }, body: Buffer.alloc(1000, 0x61) },
  { entry: { path: 'link', type: 'symlink', linkPath: `../${'x'.repeat(150)}` } },
  { entry: { path: 'hard', type: 'hardlink', linkPath: 'dir/hello.txt' } },
  { entry: { path: 'null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 } },
  { entry: { path: 'fifo', type: 'fifo' } },
  { entry: { path: 'bin/ping', type: 'file', size: 0, xattrs: new Map([['security.capability', Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0])], ['user.note', Buffer.from('é')]]) } },
  { entry: { path: 'ünïcode', type: 'file', size: 0 } },
];

test('what writeTar writes, readTarEntries reads back with every field', async () => {
  const archive = await collect(writeTar(items));
  const entries = await readAll(archive);
  assert.deepEqual(entries.map((e) => e.entry.path), ['dir/', 'dir/hello.txt', longName, 'link', 'hard', 'null', 'fifo', 'bin/ping', 'ünïcode']);
  const [dir, hello, long, link, hard, dev, fifo, ping] = entries;
  assert.equal(dir!.entry.type, 'directory');
  assert.equal(dir!.entry.mode, 0o1777);
  assert.deepEqual([hello!.entry.mode, hello!.entry.uid, hello!.entry.gid, hello!.entry.mtime], [0o4755, 3000000, 70, 1700000000.25]);
  assert.equal(hello!.data.toString(), 'hello');
  assert.equal(long!.data.length, 1000);
  assert.equal(link!.entry.linkPath, `../${'x'.repeat(150)}`);
  assert.deepEqual([hard!.entry.type, hard!.entry.linkPath], ['hardlink', 'dir/hello.txt']);
  assert.deepEqual([dev!.entry.type, dev!.entry.devMajor, dev!.entry.devMinor], ['char', 1, 3]);
  assert.equal(fifo!.entry.type, 'fifo');
  assert.deepEqual(ping!.entry.xattrs.get('security.capability'), Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]));
  assert.equal(ping!.entry.xattrs.get('user.note')?.toString(), 'é');
});

test('GNU tar lists what writeTar writes, long names included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-tar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.tar'), await collect(writeTar(items)));
  const listed = execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listed, ['dir/', 'dir/hello.txt', longName, 'link', 'hard', 'null', 'fifo', 'bin/ping', 'ünïcode']);
});

test('GNU long names and links from GNU tar are read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-tar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const deep = join(dir, 'src', 'n'.repeat(120), 'm'.repeat(120));
  await mkdir(deep, { recursive: true });
  await writeFile(join(deep, 'f'), 'data');
  await symlink('t'.repeat(200), join(dir, 'src', 'l'));
  execFileSync('tar', ['--format=gnu', '-cf', join(dir, 'g.tar'), '-C', join(dir, 'src'), '.']);
  const entries = await readAll(await readFile(join(dir, 'g.tar')), 512);
  const file = entries.find((e) => e.entry.path.endsWith('/f'));
  assert.equal(file?.entry.path, `./${'n'.repeat(120)}/${'m'.repeat(120)}/f`);
  assert.equal(file?.data.toString(), 'data');
  assert.equal(entries.find((e) => e.entry.path === './l')?.entry.linkPath, 't'.repeat(200));
});

test('pax sparse 1.0 files from GNU tar come with their map and data at the right offsets', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-tar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'src'));
  const handle = await open(join(dir, 'src', 'sparse'), 'w');
  await handle.write(Buffer.from('start'), 0, 5, 4096 * 10);
  await handle.write(Buffer.from('end'), 0, 3, 4096 * 1000);
  await handle.close();
  execFileSync('tar', ['--format=posix', '--sparse', '--sparse-version=1.0', '-cf', join(dir, 's.tar'), '-C', join(dir, 'src'), 'sparse']);
  const pieces: { offset: number; text: string }[] = [];
  let sparseEntry: TarEntry | undefined;
  const parser = new TarParser({
    onEntry: (entry) => { sparseEntry = entry; },
    onData: (chunk, offset) => { pieces.push({ offset, text: chunk.toString() }); },
    onEntryEnd: () => {},
  });
  parser.push(await readFile(join(dir, 's.tar')));
  parser.end();
  assert.equal(sparseEntry?.path, 'sparse');
  assert.equal(sparseEntry?.size, 4096 * 1000 + 3);
  assert.ok(sparseEntry?.sparse !== undefined);
  const text = pieces.filter((p) => p.text.replace(/\0/g, '') !== '').map((p) => [p.offset + p.text.search(/[^\0]/), p.text.replace(/\0/g, '')]);
  assert.deepEqual(text, [[40960, 'start'], [4096000, 'end']]);
});

test('a header with a bad checksum is refused as ISOLA_TAR_INVALID', async () => {
  const archive = await collect(writeTar([{ entry: { path: 'a', type: 'file', size: 0 } }]));
  archive[0] = 0x62;
  await assert.rejects(readAll(archive), { code: 'ISOLA_TAR_INVALID' });
});

test('an archive cut inside a file is refused as ISOLA_TAR_INVALID', async () => {
  const archive = await collect(writeTar([{ entry: { path: 'a', type: 'file', size: 2000 }, body: Buffer.alloc(2000) }]));
  await assert.rejects(readAll(archive.subarray(0, 1024)), { code: 'ISOLA_TAR_INVALID' });
});

test('an old GNU sparse entry is refused as ISOLA_TAR_UNSUPPORTED', async () => {
  const archive = await collect(writeTar([{ entry: { path: 'a', type: 'file', size: 0 } }]));
  archive[156] = 0x53; // 'S'
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : archive[i]!;
  archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  await assert.rejects(readAll(archive), { code: 'ISOLA_TAR_UNSUPPORTED' });
});

test('writeTar refuses a body shorter than its declared size', async () => {
  await assert.rejects(collect(writeTar([{ entry: { path: 'a', type: 'file', size: 10 }, body: Buffer.from('abc') }])), { code: 'ISOLA_TAR_INVALID' });
});

test('xattrs from GNU tar --xattrs (pax SCHILY.xattr.*) are read as bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'isola-tar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'f'), '');
  execFileSync('setfattr', ['-n', 'user.colour', '-v', '0x00ff10', join(dir, 'src', 'f')]);
  execFileSync('tar', ['--format=posix', '--xattrs', '--xattrs-include=user.*', '-cf', join(dir, 'x.tar'), '-C', join(dir, 'src'), 'f']);
  const [entry] = await readAll(await readFile(join(dir, 'x.tar')));
  assert.deepEqual(entry?.entry.xattrs.get('user.colour'), Buffer.from([0x00, 0xff, 0x10]));
});
