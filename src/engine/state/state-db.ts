/**
 * The state database, `<root>/state.db`: the one place concurrent isola processes
 * agree on shared facts (which container holds which host ids).
 *
 * node:sqlite offers only a synchronous API (DatabaseSync). That is the accepted
 * exception to the rule against *Sync calls in src/: statements are short and local,
 * and a transaction that never awaits cannot interleave with other work of this
 * process while it holds the database's write lock.
 */
import { mkdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { MIGRATIONS } from './schema.ts';
import { StateError } from './errors.ts';

export const STATE_DB_NAME = 'state.db';
/** How long a statement waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;
/** SQLite's primary result codes for a lock held by someone else. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CANTOPEN = 14;

function isBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: number }).errcode;
  return errcode !== undefined && ((errcode & 0xff) === SQLITE_BUSY || (errcode & 0xff) === SQLITE_LOCKED);
}

export class StateDb {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /** A prepared statement, compiled once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#wrap(() => this.statement(sql).run(...params)).changes);
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so
   * what `fn` reads cannot change before it writes. `fn` must not await.
   * @throws StateError ISOLA_STATE_DB_BUSY when the lock stays taken for BUSY_TIMEOUT_MS.
   */
  immediate<T>(fn: () => T): T {
    this.#wrap(() => this.#db.exec('BEGIN IMMEDIATE'));
    try {
      const result = this.#wrap(fn);
      this.#wrap(() => this.#db.exec('COMMIT'));
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (!isBusy(error)) throw error;
      throw new StateError('ISOLA_STATE_DB_BUSY', `the state database ${this.path} stayed locked for ${BUSY_TIMEOUT_MS} ms`, this.path, {
        cause: error,
        hint: 'another isola holds it: retry, and look for a hung isola process if it persists',
      });
    }
  }
}

function migrate(db: StateDb, raw: DatabaseSync): void {
  const version = () => Number((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version() === MIGRATIONS.length) return;
  // WAL, set once and kept in the file: readers never block the writer. It cannot
  // change inside a transaction, so it comes first; setting it twice is harmless.
  db.run('PRAGMA journal_mode = WAL');
  db.immediate(() => {
    // Read again under the lock: a concurrent isola may have migrated meanwhile.
    const current = version();
    if (current > MIGRATIONS.length) {
      throw new StateError('ISOLA_STATE_DB_TOO_NEW', `the state database ${db.path} has schema version ${current}, newer than this isola knows`,
        db.path, { hint: 'use the isola version that wrote it, or a newer one' });
    }
    for (const sql of MIGRATIONS.slice(current)) raw.exec(sql);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
  });
}

/**
 * Processes creating the database at the same moment can meet in the switch
 * to WAL, still in rollback-journal mode, where SQLite fails one of them at
 * once (a deadlock would follow waiting) instead of calling the busy
 * handler: that one tries again shortly.
 */
async function migrateWithRetry(db: StateDb, raw: DatabaseSync): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, raw);
      return;
    } catch (error) {
      if (attempt >= 10 || !(error instanceof StateError) || error.code !== 'ISOLA_STATE_DB_BUSY') throw error;
      await delay(5 + Math.random() * 45);
    }
  }
}

/**
 * Opens (creating when needed) `<root>/state.db`. node:sqlite is loaded here, on first
 * use, so commands that never touch state do not pay for it.
 * @throws StateError ISOLA_STATE_DB_UNAVAILABLE, ISOLA_STATE_DB_BUSY, ISOLA_STATE_DB_TOO_NEW.
 */
export async function openStateDb(root: string): Promise<StateDb> {
  const path = join(root, STATE_DB_NAME);
  let raw: DatabaseSync;
  try {
    const { DatabaseSync } = await import('node:sqlite');
    const openFile = () => new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      raw = openFile();
    } catch (error) {
      // The root is created only when missing: a mkdir on every run would cost start-up time.
      if (((error as { errcode?: number }).errcode ?? 0) !== SQLITE_CANTOPEN) throw error;
      // Missing parents get 0755: the runroot may live beside the root, and
      // containers must be able to reach their files there.
      await mkdir(dirname(root), { recursive: true, mode: 0o755 });
      await mkdir(root, { recursive: true, mode: 0o700 });
      raw = openFile();
    }
  } catch (error) {
    throw new StateError('ISOLA_STATE_DB_UNAVAILABLE', `cannot open the state database ${path}: ${(error as Error).message}`, path, {
      cause: error,
      hint: `check that ${root} is writable by this user (or pass another --root)`,
    });
  }
  const db = new StateDb(path, raw);
  try {
    await migrateWithRetry(db, raw);
    // A power cut may lose the last allocations, but it also ends every container that held them.
    db.run('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
