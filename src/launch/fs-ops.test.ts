import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, openSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_TYPE_BITS, FSOP, FSOP_FLAG_OPTIONAL, FSOPS_MSG_DONE, runFsOps, type FsOp } from './fs-ops.ts';
import { locateShimForTest } from './fs-ops.test-helper.ts';

const isRoot = process.getuid?.() === 0;

test('the fsops constants match native/fsops.h', async () => {
  const header = await readFile(new URL('../../native/fsops.h', import.meta.url), 'utf8');
  assert.match(header, new RegExp(`#define FSOP_MKNOD ${FSOP.mknod}u`));
  assert.match(header, new RegExp(`#define FSOP_SETXATTR ${FSOP.setxattr}u`));
  assert.match(header, new RegExp(`#define FSOP_FLAG_OPTIONAL ${FSOP_FLAG_OPTIONAL}u`));
  assert.match(header, new RegExp(`#define FSOPS_MSG_DONE ${FSOPS_MSG_DONE}\\b`));
});

async function withDir(fn: (dir: string, dirFd: number) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-fsops-'));
  const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fn(dir, dirFd);
  } finally {
    closeSync(dirFd);
    await rm(dir, { recursive: true, force: true });
  }
}

test('one shim run makes device nodes and fifos with their owner and set-id bits, and sets xattrs', { skip: isRoot ? false : 'needs root (mknod of a device)' }, async () => {
  await withDir(async (dir, dirFd) => {
    await mkdir(join(dir, 'dev'));
    await writeFile(join(dir, 'file'), '');
    const ops: FsOp[] = [
      { kind: 'mknod', path: 'dev/null', mode: FILE_TYPE_BITS.char | 0o666, major: 1, minor: 3, uid: 1000, gid: 1001 },
      { kind: 'mknod', path: 'fifo', mode: FILE_TYPE_BITS.fifo | 0o2640, major: 0, minor: 0, uid: 7, gid: 8 },
      { kind: 'setxattr', path: 'file', name: 'user.note', value: Buffer.from('hi') },
    ];
    const result = await runFsOps({ shimPath: await locateShimForTest(), dirFd, ops });
    assert.equal(result.skipped, 0);
    const dev = await lstat(join(dir, 'dev/null'));
    assert.ok(dev.isCharacterDevice());
    assert.deepEqual([dev.rdev, dev.uid, dev.gid, dev.mode & 0o7777], [0x103, 1000, 1001, 0o666]);
    const fifo = await lstat(join(dir, 'fifo'));
    assert.ok(fifo.isFIFO());
    assert.deepEqual([fifo.uid, fifo.gid, fifo.mode & 0o7777], [7, 8, 0o2640]);
    assert.equal(execFileSync('getfattr', ['--only-values', '-n', 'user.note', join(dir, 'file')], { encoding: 'utf8' }), 'hi');
  });
});

test('a path through a symlink fails at fsops-resolve with ELOOP, naming the path', async () => {
  await withDir(async (dir, dirFd) => {
    const outside = await mkdtemp(join(tmpdir(), 'isola-fsops-outside-'));
    await mkdir(join(outside, 'sub'));
    await symlink(outside, join(dir, 'escape'));
    const ops: FsOp[] = [{ kind: 'mknod', path: 'escape/sub/x', mode: FILE_TYPE_BITS.fifo | 0o644, major: 0, minor: 0, uid: 0, gid: 0 }];
    try {
      await assert.rejects(runFsOps({ shimPath: await locateShimForTest(), dirFd, ops }),
        { code: 'ISOLA_LAUNCH_STEP_FAILED', step: 'fsops-resolve', errnoName: 'ELOOP', path: 'escape/sub/x' });
      await assert.rejects(lstat(join(outside, 'sub', 'x')), { code: 'ENOENT' });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

test('a .. path fails at fsops-resolve with EXDEV', async () => {
  await withDir(async (_dir, dirFd) => {
    const ops: FsOp[] = [{ kind: 'setxattr', path: '../x', name: 'user.a', value: Buffer.from('') }];
    await assert.rejects(runFsOps({ shimPath: await locateShimForTest(), dirFd, ops }), { step: 'fsops-resolve', errnoName: 'EXDEV' });
  });
});

test('an optional op that fails is counted as skipped and the batch goes on', async () => {
  await withDir(async (dir, dirFd) => {
    await writeFile(join(dir, 'file'), '');
    const ops: FsOp[] = [
      { kind: 'setxattr', path: 'missing', name: 'user.a', value: Buffer.from('1'), isOptional: true },
      { kind: 'setxattr', path: 'file', name: 'user.b', value: Buffer.from('2') },
    ];
    const result = await runFsOps({ shimPath: await locateShimForTest(), dirFd, ops });
    assert.equal(result.skipped, 1);
    assert.deepEqual(result.firstSkipped, { step: 'fsops-resolve', errnoName: 'ENOENT', detail: 'missing user.a', index: 0 });
  });
});
