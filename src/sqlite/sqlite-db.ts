/**
 * One SQLite database file shared by concurrent isola processes, over
 * node:sqlite: opened with a busy timeout, migrated by PRAGMA user_version
 * under the write lock, in WAL mode with synchronous=NORMAL and foreign keys, with
 * BEGIN IMMEDIATE transactions and statements compiled once per connection.
 *
 * node:sqlite offers only a synchronous API (DatabaseSync). That is the accepted
 * exception to the rule against *Sync calls in src/: statements are short and local,
 * and a transaction that never awaits cannot interleave with other work of this
 * process while it holds the database's write lock.
 */
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';

/** How long a statement waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 10_000;
/** SQLite's primary result codes for a lock held by someone else, and for a file it cannot open. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CANTOPEN = 14;

export type Row = Record<string, SQLOutputValue>;

/** The owner's errors (each area has its codes): what to throw when ... */
export interface SqliteErrors {
  /** ... a lock stayed taken for BUSY_TIMEOUT_MS; the error must keep `cause` (a retry looks at it). */
  busy(path: string, cause: unknown): Error;
  /** ... the file's schema is newer than `migrations` knows. */
  tooNew(path: string, version: number): Error;
  /** ... the file cannot be opened or created. */
  unavailable(path: string, cause: unknown): Error;
}

export interface OpenSqliteOptions {
  readonly path: string;
  /** One per schema version (PRAGMA user_version); released ones never change. */
  readonly migrations: readonly string[];
  readonly errors: SqliteErrors;
  /**
   * Makes the file's directory. Called only when the file cannot be opened:
   * a mkdir on every open would cost start-up time.
   */
  readonly makeDirectory: () => Promise<unknown>;
  /** How long a statement waits for another connection's lock. @default BUSY_TIMEOUT_MS */
  readonly busyTimeoutMs?: number | undefined;
}

function errcodeOf(error: unknown): number {
  return (typeof error === 'object' && error !== null ? (error as { errcode?: number }).errcode ?? 0 : 0) & 0xff;
}

export function isBusyError(error: unknown): boolean {
  const errcode = errcodeOf(error);
  return errcode === SQLITE_BUSY || errcode === SQLITE_LOCKED;
}

export class SqliteDb {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #errors: SqliteErrors;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string, db: DatabaseSync, errors: SqliteErrors) {
    this.path = path;
    this.#db = db;
    this.#errors = errors;
  }

  /** A prepared statement, compiled once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#wrap(() => this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#wrap(() => this.statement(sql).all(...params)) as Row[];
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#wrap(() => this.statement(sql).get(...params)) as Row | undefined;
  }

  /** @returns the number of rows changed */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#wrap(() => this.statement(sql).run(...params)).changes);
  }

  /** Runs SQL that takes no parameters and returns nothing (migrations, pragmas). */
  exec(sql: string): void {
    this.#wrap(() => this.#db.exec(sql));
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so
   * what `fn` reads cannot change before it writes. `fn` must not await.
   * @throws the owner's busy error when the lock stays taken for BUSY_TIMEOUT_MS.
   */
  immediate<T>(fn: () => T): T {
    this.exec('BEGIN IMMEDIATE');
    try {
      const result = this.#wrap(fn);
      this.exec('COMMIT');
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
      if (!isBusyError(error)) throw error;
      throw this.#errors.busy(this.path, error);
    }
  }
}

function migrate(db: SqliteDb, migrations: readonly string[], errors: SqliteErrors): void {
  const version = () => Number(db.get('PRAGMA user_version')?.['user_version'] ?? 0);
  if (version() === migrations.length) return;
  // WAL, set once and kept in the file: readers never block the writer. It cannot
  // change inside a transaction, so it comes first; setting it twice is harmless.
  db.exec('PRAGMA journal_mode = WAL');
  db.immediate(() => {
    // Read again under the lock: a concurrent isola may have migrated meanwhile.
    const current = version();
    if (current > migrations.length) throw errors.tooNew(db.path, current);
    for (const sql of migrations.slice(current)) db.exec(sql);
    db.exec(`PRAGMA user_version = ${migrations.length}`);
  });
}

/**
 * Processes creating the database at the same moment can meet in the switch
 * to WAL, still in rollback-journal mode, where SQLite fails one of them at
 * once (a deadlock would follow waiting) instead of calling the busy
 * handler: that one tries again shortly.
 */
async function migrateWithRetry(db: SqliteDb, options: OpenSqliteOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, options.migrations, options.errors);
      return;
    } catch (error) {
      if (attempt >= 10 || !isBusyError((error as { cause?: unknown }).cause)) throw error;
      await new Promise((resolve) => { setTimeout(resolve, 5 + Math.random() * 45); });
    }
  }
}

/**
 * Opens (creating when needed) the database at `options.path` and brings its
 * schema up to date. node:sqlite is loaded here, on first use, so commands
 * that never touch a database do not pay for it.
 * @throws the owner's unavailable, busy and tooNew errors
 */
/**
 * A database's directory: private (0700), while missing parents get 0755, as
 * `mkdir -p` gives them. A recursive mkdir would make them 0700 too, and a
 * container's ids must be able to reach the files beside the database (a
 * rootless user's ~/.local/share: the layer copies, the volumes).
 */
export async function makeDatabaseDirectory(dir: string): Promise<void> {
  // Loaded on first use: this module is on `isola run`'s import path, where loading it costs milliseconds.
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirname(dir), { recursive: true, mode: 0o755 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export async function openSqliteDb(options: OpenSqliteOptions): Promise<SqliteDb> {
  const { path, errors } = options;
  let raw: DatabaseSync;
  try {
    const { DatabaseSync } = await import('node:sqlite');
    const openFile = () => new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
    try {
      raw = openFile();
    } catch (error) {
      if (errcodeOf(error) !== SQLITE_CANTOPEN) throw error;
      await options.makeDirectory();
      raw = openFile();
    }
  } catch (error) {
    throw errors.unavailable(path, error);
  }
  const db = new SqliteDb(path, raw, errors);
  try {
    // node:sqlite turns them on by default; said here so that no default can change it.
    db.exec('PRAGMA foreign_keys = ON');
    await migrateWithRetry(db, options);
    // A power cut may lose the last transactions; what they recorded is rebuilt or repaired from the facts.
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
