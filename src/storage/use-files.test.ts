import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addUseHolders, liveUsers, writeUse, type UseHolder } from './use-files.ts';

const alive: UseHolder = { pid: 10, startTime: 1 };
const dead: UseHolder = { pid: 20, startTime: 2 };
const isHolderGone = async (holder: UseHolder) => holder.pid === dead.pid;

async function withUsesDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'isola-uses-'));
  try {
    await fn(join(base, 'users'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

test('a use is live while one of its holders lives, and a use whose holders all died is dropped', async () => {
  await withUsesDir(async (dir) => {
    await writeUse(dir, 'a', [dead, alive]);
    await writeUse(dir, 'b', [dead]);
    assert.deepEqual(await liveUsers(dir, { isHolderGone }), ['a']);
    assert.deepEqual(await readdir(dir), ['a']);
  });
});

test('a use without holders lasts while its container is recorded', async () => {
  await withUsesDir(async (dir) => {
    await writeUse(dir, 'kept', undefined);
    await writeUse(dir, 'forgotten', undefined);
    assert.deepEqual((await liveUsers(dir, { isHolderGone })).sort(), ['forgotten', 'kept']);
    assert.deepEqual(await liveUsers(dir, { isHolderGone, isRecorded: (id) => id === 'kept' }), ['kept']);
    assert.deepEqual(await readdir(dir), ['kept']);
  });
});

test('added holders keep a use alive after its first holders died', async () => {
  await withUsesDir(async (dir) => {
    await writeUse(dir, 'a', [dead]);
    await addUseHolders(dir, 'a', [alive]);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'a'), 'utf8')), { holders: [dead, alive] });
    assert.deepEqual(await liveUsers(dir, { isHolderGone }), ['a']);
  });
});

test('adding holders leaves a recorded container\'s use and a missing use alone', async () => {
  await withUsesDir(async (dir) => {
    await writeUse(dir, 'recorded', undefined);
    await addUseHolders(dir, 'recorded', [alive]);
    await addUseHolders(dir, 'missing', [alive]);
    assert.equal(await readFile(join(dir, 'recorded'), 'utf8'), '');
    assert.deepEqual(await readdir(dir), ['recorded']);
  });
});

test('a directory that does not exist has no users', async () => {
  await withUsesDir(async (dir) => {
    assert.deepEqual(await liveUsers(dir, { isHolderGone }), []);
  });
});
