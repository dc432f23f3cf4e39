import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { makeDatabaseDirectory, openSqliteDb, type OpenSqliteOptions, type SqliteErrors } from './index.ts';

class TestDbError extends Error {
  readonly code: string;
  constructor(code: string, cause?: unknown) {
    super(code, { cause });
    this.code = code;
  }
}

const ERRORS: SqliteErrors = {
  busy: (_path, cause) => new TestDbError('BUSY', cause),
  tooNew: (_path, version) => new TestDbError(`TOO_NEW ${version}`),
  unavailable: (_path, cause) => new TestDbError('UNAVAILABLE', cause),
};
const MIGRATIONS = [
  'CREATE TABLE parents (id INTEGER PRIMARY KEY) STRICT',
  'CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id)) STRICT',
];

let base = '';
before(async () => { base = await mkdtemp(join(tmpdir(), 'isola-sqlite-')); });
after(async () => { await rm(base, { recursive: true, force: true }); });

function options(dir: string, extra: Partial<OpenSqliteOptions> = {}): OpenSqliteOptions {
  return { path: join(dir, 'test.db'), migrations: MIGRATIONS, errors: ERRORS, makeDirectory: () => mkdir(dir, { recursive: true, mode: 0o700 }), ...extra };
}

test('opening makes the directory only when needed, and the file in WAL mode with every migration', async () => {
  const dir = join(base, 'fresh', 'db');
  const db = await openSqliteDb(options(dir));
  try {
    assert.equal(db.get('PRAGMA journal_mode')?.['journal_mode'], 'wal');
    assert.equal(db.get('PRAGMA user_version')?.['user_version'], 2);
    assert.equal(db.get('PRAGMA synchronous')?.['synchronous'], 1, 'NORMAL');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  } finally {
    db.close();
  }
  let isCalled = false;
  const again = await openSqliteDb(options(dir, { makeDirectory: async () => { isCalled = true; } }));
  again.close();
  assert.equal(isCalled, false, 'an existing file needs no mkdir');
});

test('a newer migration list runs only the new migrations; an older one refuses the file', async () => {
  const dir = join(base, 'migrate');
  const first = await openSqliteDb(options(dir, { migrations: MIGRATIONS.slice(0, 1) }));
  first.run('INSERT INTO parents (id) VALUES (1)');
  first.close();
  const second = await openSqliteDb(options(dir));
  assert.equal(second.all('SELECT id FROM parents').length, 1, 'the first migration did not run again');
  second.close();
  await assert.rejects(openSqliteDb(options(dir, { migrations: MIGRATIONS.slice(0, 1) })), { code: 'TOO_NEW 2' });
});

test('foreign keys are enforced', async () => {
  const db = await openSqliteDb(options(join(base, 'strict')));
  try {
    assert.throws(() => db.run('INSERT INTO children (id, parent) VALUES (1, 42)'), /FOREIGN KEY/);
  } finally {
    db.close();
  }
});

test('a transaction whose body throws leaves nothing behind; one that returns commits', async () => {
  const db = await openSqliteDb(options(join(base, 'tx')));
  try {
    assert.throws(() => db.immediate(() => {
      db.run('INSERT INTO parents (id) VALUES (1)');
      throw new Error('boom');
    }), /boom/);
    assert.equal(db.all('SELECT id FROM parents').length, 0);
    assert.equal(db.immediate(() => db.run('INSERT INTO parents (id) VALUES (2)')), 1);
    assert.deepEqual(db.all('SELECT id FROM parents').map((r) => r['id']), [2]);
    assert.equal(db.statement('SELECT 1'), db.statement('SELECT 1'), 'statements are compiled once');
  } finally {
    db.close();
  }
});

test('a write lock another connection keeps past the busy timeout is the owner\'s busy error', async () => {
  const dir = join(base, 'busy');
  const db = await openSqliteDb(options(dir, { busyTimeoutMs: 50 }));
  const other = new DatabaseSync(join(dir, 'test.db'));
  other.exec('BEGIN IMMEDIATE');
  try {
    assert.throws(() => db.immediate(() => db.run('INSERT INTO parents (id) VALUES (1)')), { code: 'BUSY' });
  } finally {
    other.exec('ROLLBACK');
    other.close();
    db.close();
  }
});

test('a file that cannot be opened or created is the owner\'s unavailable error', async () => {
  const file = join(base, 'a-file');
  await writeFile(file, '');
  await assert.rejects(openSqliteDb(options(join(file, 'db'))), { code: 'UNAVAILABLE' });
});

test('a database directory is private while the parents it makes stay searchable', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'isola-sqlite-dir-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const previous = process.umask(0o022);
  try {
    await makeDatabaseDirectory(join(base, 'share', 'isola', 'images'));
  } finally {
    process.umask(previous);
  }
  assert.equal((await stat(join(base, 'share'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(base, 'share', 'isola'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(base, 'share', 'isola', 'images'))).mode & 0o777, 0o700);
});
