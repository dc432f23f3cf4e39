import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, link, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireCommand, requireRoot } from '../../test/helpers/requirements.ts';
import { idShift } from './id-shift.ts';
import { chownTree, copyShifted } from './shifted-copy.ts';

const shift = idShift({ uidMap: [{ containerId: 0, hostId: 500000, size: 65536 }], gidMap: [{ containerId: 0, hostId: 600000, size: 65536 }] });

async function layer(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-copy-'));
  const src = join(dir, 'src');
  await mkdir(join(src, 'etc', 'opaque'), { recursive: true });
  await writeFile(join(src, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await writeFile(join(src, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  await chown(join(src, 'tool'), 0, 1000);
  await chmod(join(src, 'tool'), 0o4755);
  await link(join(src, 'tool'), join(src, 'tool-link'));
  await symlink('etc/passwd', join(src, 'passwd-link'));
  await writeFile(join(src, 'shared'), '');
  await chmod(join(src, 'shared'), 0o666);
  await chown(join(src, 'etc'), 1000, 1000);
  spawnSync('mknod', [join(src, 'etc', 'gone'), 'c', '0', '0']);
  spawnSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(src, 'etc', 'opaque')]);
  await utimes(join(src, 'etc'), 1000, 2000);
  return dir;
}

test('a shifted copy keeps contents, modes, links and times with every owner moved into the range', async (t) => {
  if (!requireRoot(t, 'chowns to other ids') || !requireCommand(t, 'getfattr')) return;
  const dir = await layer();
  try {
    const dst = join(dir, 'dst');
    const stats = await copyShifted(join(dir, 'src'), dst, shift);
    assert.equal(stats.entries, 8);
    assert.equal((await lstat(join(dst, 'shared'))).mode & 0o7777, 0o666, 'a mode the umask would narrow is kept');
    assert.equal(await readFile(join(dst, 'etc', 'passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
    const tool = await lstat(join(dst, 'tool'));
    assert.deepEqual([tool.uid, tool.gid, tool.mode & 0o7777, tool.nlink], [500000, 601000, 0o4755, 2]);
    assert.equal((await lstat(join(dst, 'tool-link'))).ino, tool.ino);
    assert.equal(await readlink(join(dst, 'passwd-link')), 'etc/passwd');
    assert.equal((await lstat(join(dst, 'passwd-link'))).uid, 500000);
    const etc = await lstat(join(dst, 'etc'));
    assert.deepEqual([etc.uid, etc.gid, etc.mtimeMs], [501000, 601000, 2000000]);
    const whiteout = await lstat(join(dst, 'etc', 'gone'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0);
    const opaque = spawnSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(dst, 'etc', 'opaque')], { encoding: 'utf8' });
    assert.equal(opaque.stdout, 'y');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed copy names the file and is a StorageError', async (t) => {
  if (!requireRoot(t, 'chowns to other ids')) return;
  const dir = await mkdtemp(join(tmpdir(), 'isola-copy-'));
  try {
    await assert.rejects(copyShifted(join(dir, 'missing'), join(dir, 'dst'), shift), { code: 'ISOLA_STORAGE_COPY_FAILED' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('chownTree gives every file the ids and keeps setuid bits', async (t) => {
  if (!requireRoot(t, 'chowns to other ids')) return;
  const dir = await layer();
  try {
    chownTree(join(dir, 'src'), 700000, 700001);
    const tool = await lstat(join(dir, 'src', 'tool'));
    assert.deepEqual([tool.uid, tool.gid, tool.mode & 0o7777], [700000, 700001, 0o4755]);
    assert.equal((await lstat(join(dir, 'src', 'passwd-link'))).uid, 700000);
    assert.equal((await lstat(join(dir, 'src', 'etc'))).gid, 700001);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
