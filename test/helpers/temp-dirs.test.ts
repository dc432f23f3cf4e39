import assert from 'node:assert/strict';
import { access, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireRoot } from './requirements.ts';
import { withTempDirs } from './temp-dirs.ts';

const exists = (path: string) => access(path).then(() => true, () => false);

describe('withTempDirs', () => {
  test('hands out a fresh 0755 root/runroot pair and removes it afterwards', async () => {
    const dirs = await withTempDirs(async (d) => {
      for (const dir of [d.base, d.root, d.runroot]) assert.equal((await stat(dir)).mode & 0o777, 0o755, dir);
      assert.deepEqual(d.args, ['--root', d.root, '--runroot', d.runroot]);
      await writeFile(join(d.root, 'state'), 'x');
      return d;
    });
    assert.equal(await exists(dirs.base), false);
  });

  test('removes the pair when the test body throws, and rethrows its error', async () => {
    let base = '';
    await assert.rejects(withTempDirs(async (d) => {
      base = d.base;
      throw new Error('body failed');
    }), /body failed/);
    assert.equal(await exists(base), false);
  });

  test('chowns the pair to the owner a rootless test names', async (t) => {
    if (!requireRoot(t, 'chowns to another user')) return;
    await withTempDirs(async (d) => {
      assert.equal((await stat(d.root)).uid, 4242);
      assert.equal((await stat(d.runroot)).gid, 4343);
    }, { owner: { uid: 4242, gid: 4343 } });
  });
});
