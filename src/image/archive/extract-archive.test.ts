import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTar, type TarWriteItem } from '../tar/tar-writer.ts';
import { extractArchive } from './extract-archive.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-extract-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tarFile(path: string, items: TarWriteItem[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeTar(items)) chunks.push(chunk);
  await writeFile(path, Buffer.concat(chunks));
}

const file = (path: string, text: string): TarWriteItem => ({ entry: { path, type: 'file', size: text.length }, body: Buffer.from(text) });

test('regular files land under the target; links and devices are left out', async () => withDir(async (dir) => {
  await tarFile(join(dir, 'a.tar'), [file('./index.json', '{}'), file('blobs/sha256/ab', 'x'),
    { entry: { path: 'link', type: 'symlink', linkPath: '/etc/passwd' } }, { entry: { path: 'null', type: 'char', devMajor: 1, devMinor: 3 } }]);
  await extractArchive(join(dir, 'a.tar'), join(dir, 'out'));
  assert.deepEqual((await readdir(join(dir, 'out'))).sort(), ['blobs', 'index.json']);
  assert.equal(await readFile(join(dir, 'out', 'blobs', 'sha256', 'ab'), 'utf8'), 'x');
}));

test('an entry reaching outside the archive is ISOLA_IMAGE_ARCHIVE_INVALID and writes nothing outside', async () => withDir(async (dir) => {
  for (const path of ['../escape', '/abs/path', 'blobs/../../escape']) {
    await tarFile(join(dir, 'bad.tar'), [file(path, 'x')]);
    await assert.rejects(extractArchive(join(dir, 'bad.tar'), join(dir, 'out')), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_ARCHIVE_INVALID', path);
    assert.equal(await readFile(join(dir, 'escape')).then(() => true, () => false), false);
  }
}));

test('a file that is not a tar is ISOLA_IMAGE_ARCHIVE_INVALID', async () => withDir(async (dir) => {
  await writeFile(join(dir, 'not.tar'), 'hello');
  await assert.rejects(extractArchive(join(dir, 'not.tar'), join(dir, 'out')), (err: { code?: string }) => err.code === 'ISOLA_IMAGE_ARCHIVE_INVALID');
}));
