import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { MIGRATIONS } from './schema.ts';
import { openStateDb } from './state-db.ts';

let base = '';
const countRows = (db: { statement(sql: string): { get(): unknown } }) =>
  (db.statement('SELECT count(*) AS n FROM id_allocations').get() as { n: number }).n;
before(async () => { base = await mkdtemp(join(tmpdir(), 'isola-state-')); });
after(async () => { await rm(base, { recursive: true, force: true }); });

test('opening creates the root, the database in WAL mode and the current schema', async () => {
  const root = join(base, 'fresh', 'root');
  const db = await openStateDb(root);
  try {
    assert.equal((db.statement('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((db.statement('PRAGMA user_version').get() as { user_version: number }).user_version, MIGRATIONS.length);
    assert.equal(countRows(db), 0);
  } finally {
    db.close();
  }
});

test('opening again keeps what was stored', async () => {
  const root = join(base, 'again');
  const first = await openStateDb(root);
  first.run('INSERT INTO id_allocations (host_uid, host_gid, size, created_ms) VALUES (1, 1, 1, 0)');
  first.close();
  const second = await openStateDb(root);
  try {
    assert.equal(countRows(second), 1);
  } finally {
    second.close();
  }
});

test('a transaction whose body throws leaves nothing behind', async () => {
  const db = await openStateDb(join(base, 'rollback'));
  try {
    assert.throws(() => db.immediate(() => {
      db.run('INSERT INTO id_allocations (host_uid, host_gid, size, created_ms) VALUES (1, 1, 1, 0)');
      throw new Error('boom');
    }), /boom/);
    assert.equal(countRows(db), 0);
  } finally {
    db.close();
  }
});

test('a database written by a newer isola is refused', async () => {
  const root = join(base, 'newer');
  (await openStateDb(root)).close();
  const raw = new DatabaseSync(join(root, 'state.db'));
  raw.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  raw.close();
  await assert.rejects(openStateDb(root), (err: { code?: string }) => err.code === 'ISOLA_STATE_DB_TOO_NEW');
});

test('a root that cannot be created is a clear error', async () => {
  const file = join(base, 'a-file');
  await writeFile(file, '');
  await assert.rejects(openStateDb(join(file, 'root')), (err: { code?: string }) => err.code === 'ISOLA_STATE_DB_UNAVAILABLE');
});

test('a missing root is created 0700 but its missing parents 0755', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'isola-state-parents-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const db = await openStateDb(join(base, 'x', 'root'));
  db.close();
  assert.equal((await stat(join(base, 'x'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(base, 'x', 'root'))).mode & 0o777, 0o700);
});
