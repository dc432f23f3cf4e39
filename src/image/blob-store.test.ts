import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from './blob-store.ts';
import { digestHex, digestOf } from './digest.ts';

async function withStore(fn: (store: BlobStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'isola-blobs-'));
  try {
    await fn(new BlobStore(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

const CONTENT = 'hello, content-addressed world';
const DIGEST = digestOf(CONTENT);

test('a blob whose bytes match its digest is stored under its hex name', async () => withStore(async (store) => {
  const seen: number[] = [];
  const fetched = await store.ingest(DIGEST, async () => ({ offset: 0, body: chunks('hello, ', 'content-addressed world') }),
    { size: CONTENT.length, subject: 't', onBytes: (n) => seen.push(n) });
  assert.equal(fetched, true);
  assert.equal(await readFile(join(store.dir, 'sha256', digestHex(DIGEST)), 'utf8'), CONTENT);
  assert.deepEqual(seen, [7, CONTENT.length]);
}));

test('a stored blob is never fetched twice', async () => withStore(async (store) => {
  await store.putBytes(DIGEST, Buffer.from(CONTENT), 't');
  const fetched = await store.ingest(DIGEST, async () => assert.fail('fetched again'), { size: CONTENT.length, subject: 't' });
  assert.equal(fetched, false);
}));

test('wrong bytes are ISOLA_IMAGE_DIGEST_MISMATCH and leave nothing stored or partial', async () => withStore(async (store) => {
  const wrong = 'hello, CONTENT-addressed world';
  await assert.rejects(store.ingest(DIGEST, async () => ({ offset: 0, body: chunks(wrong) }), { size: wrong.length, subject: 't' }),
    (err: { code?: string }) => err.code === 'ISOLA_IMAGE_DIGEST_MISMATCH');
  assert.equal(await store.has(DIGEST), false);
  assert.deepEqual(await readdir(join(store.dir, 'partial')), []);
}));

test('a body longer than the descriptor is refused', async () => withStore(async (store) => {
  await assert.rejects(store.ingest(DIGEST, async () => ({ offset: 0, body: chunks(CONTENT, 'x') }), { size: CONTENT.length, subject: 't' }),
    (err: { code?: string }) => err.code === 'ISOLA_IMAGE_DIGEST_MISMATCH');
  assert.equal(await store.has(DIGEST), false);
}));

test('an interrupted download resumes from its partial bytes', async () => withStore(async (store) => {
  await mkdir(join(store.dir, 'partial'), { recursive: true });
  await writeFile(join(store.dir, 'partial', `sha256-${digestHex(DIGEST)}`), CONTENT.slice(0, 10));
  let askedFrom = -1;
  await store.ingest(DIGEST, async (offset) => {
    askedFrom = offset;
    return { offset, body: chunks(CONTENT.slice(offset)) };
  }, { size: CONTENT.length, subject: 't' });
  assert.equal(askedFrom, 10);
  assert.equal((await store.read(DIGEST)).toString(), CONTENT);
}));

test('a server that ignores the range restarts the download from zero', async () => withStore(async (store) => {
  await mkdir(join(store.dir, 'partial'), { recursive: true });
  await writeFile(join(store.dir, 'partial', `sha256-${digestHex(DIGEST)}`), CONTENT.slice(0, 10));
  await store.ingest(DIGEST, async () => ({ offset: 0, body: chunks(CONTENT) }), { size: CONTENT.length, subject: 't' });
  assert.equal((await store.read(DIGEST)).toString(), CONTENT);
}));

test('a body that ends early keeps its bytes, and the next attempt resumes from them', async () => withStore(async (store) => {
  await assert.rejects(store.ingest(DIGEST, async () => ({ offset: 0, body: chunks(CONTENT.slice(0, 12)) }), { size: CONTENT.length, subject: 't' }),
    (err: { code?: string }) => err.code === 'ISOLA_IMAGE_DOWNLOAD_INCOMPLETE');
  assert.equal(await store.has(DIGEST), false);
  let askedFrom = -1;
  await store.ingest(DIGEST, async (offset) => {
    askedFrom = offset;
    return { offset, body: chunks(CONTENT.slice(offset)) };
  }, { size: CONTENT.length, subject: 't' });
  assert.equal(askedFrom, 12);
  assert.equal((await store.read(DIGEST)).toString(), CONTENT);
}));
