import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findIdMapHelpers } from './id-map-helpers.ts';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'isola-idmap-helpers-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A directory holding the given files with the given modes. */
async function binDir(name: string, files: Record<string, number>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, mode] of Object.entries(files)) {
    await writeFile(join(dir, file), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, file), mode);
  }
  return dir;
}

test('finds both tools in a directory on the search path', async () => {
  const empty = await binDir('empty', {});
  const bin = await binDir('both', { newuidmap: 0o755, newgidmap: 0o755 });
  const found = await findIdMapHelpers(`${empty}:${bin}`);
  assert.equal(found.newuidmap, join(bin, 'newuidmap'));
  assert.equal(found.newgidmap, join(bin, 'newgidmap'));
  assert.deepEqual(found.isSetuidRoot, { newuidmap: false, newgidmap: false });
});

test('the first directory holding a tool wins, and the two may live apart', async () => {
  const first = await binDir('first', { newgidmap: 0o755 });
  const second = await binDir('second', { newuidmap: 0o755, newgidmap: 0o755 });
  const found = await findIdMapHelpers(`${first}:${second}`);
  assert.equal(found.newuidmap, join(second, 'newuidmap'));
  assert.equal(found.newgidmap, join(first, 'newgidmap'));
});

test('files without an execute bit and directories are passed over', async () => {
  const plain = await binDir('plain', { newuidmap: 0o644, newgidmap: 0o644 });
  const dirs = join(root, 'dirs');
  await mkdir(join(dirs, 'newuidmap'), { recursive: true });
  await mkdir(join(dirs, 'newgidmap'), { recursive: true });
  const real = await binDir('real', { newuidmap: 0o755, newgidmap: 0o755 });
  const found = await findIdMapHelpers(`${plain}:${dirs}:${real}`);
  assert.equal(found.newuidmap, join(real, 'newuidmap'));
  assert.equal(found.newgidmap, join(real, 'newgidmap'));
});

test('a missing newuidmap is reported with the package to install', async () => {
  const onlyGid = await binDir('only-gid', { newgidmap: 0o755 });
  await assert.rejects(findIdMapHelpers(onlyGid), (err: { code?: string; hint?: string }) => {
    assert.equal(err.code, 'ISOLA_USERNS_NEWUIDMAP_MISSING');
    assert.match(err.hint ?? '', /uidmap/);
    return true;
  });
});

test('a missing newgidmap is reported too', async () => {
  const onlyUid = await binDir('only-uid', { newuidmap: 0o755 });
  await assert.rejects(findIdMapHelpers(onlyUid), (err: { code?: string }) => err.code === 'ISOLA_USERNS_NEWUIDMAP_MISSING');
});

test('an empty search path finds nothing', async () => {
  await assert.rejects(findIdMapHelpers(''), (err: { code?: string }) => err.code === 'ISOLA_USERNS_NEWUIDMAP_MISSING');
});

test('relative and empty path entries are ignored', async () => {
  await binDir('relative', { newuidmap: 0o755, newgidmap: 0o755 });
  const relative = join(root, 'relative').slice(1); // valid relative to / only
  await assert.rejects(findIdMapHelpers(`:${relative}:.`), (err: { code?: string }) => err.code === 'ISOLA_USERNS_NEWUIDMAP_MISSING');
});

test(
  'a setuid-root tool is reported as such',
  { skip: process.getuid?.() === 0 ? false : 'only root can create a file owned by root' },
  async () => {
    const bin = await binDir('setuid', { newuidmap: 0o4755, newgidmap: 0o755 });
    const found = await findIdMapHelpers(bin);
    assert.deepEqual(found.isSetuidRoot, { newuidmap: true, newgidmap: false });
  },
);
