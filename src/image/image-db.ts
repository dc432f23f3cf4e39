/**
 * The image database, `<root>/images/images.db` (SQLite, WAL): names, images,
 * their layers, and the unpacked layers they share. Its own file, apart from the
 * container state database, so image commands never wait on container work.
 *
 * node:sqlite offers only a synchronous API. That is the accepted exception to
 * the rule against *Sync calls below cli/: statements are short and local, and a
 * transaction that never awaits cannot interleave with other work of this
 * process while it holds the write lock (BEGIN IMMEDIATE).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { ImageError } from './errors.ts';

const BUSY_TIMEOUT_MS = 10_000;

/** One migration per schema version (PRAGMA user_version); released ones never change. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE images (
    id TEXT PRIMARY KEY,
    manifest_digest TEXT NOT NULL,
    manifest_media_type TEXT NOT NULL,
    config_digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    created TEXT,
    stored_ms INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE image_names (
    name TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX image_names_by_image ON image_names(image_id);
  CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    diff_id TEXT NOT NULL,
    blob_digest TEXT NOT NULL,
    blob_size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    PRIMARY KEY (image_id, position)
  ) STRICT;
  CREATE INDEX image_layers_by_diff ON image_layers(diff_id);
  CREATE INDEX image_layers_by_blob ON image_layers(blob_digest);
  CREATE TABLE layers (
    diff_id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    max_uid INTEGER NOT NULL,
    max_gid INTEGER NOT NULL,
    unpacked_ms INTEGER NOT NULL
  ) STRICT;`,
];

export type Row = Record<string, SQLOutputValue>;

export class ImageDb {
  readonly path: string;
  readonly #db: DatabaseSync;

  constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#wrap(() => this.#db.prepare(sql).all(...params)) as Row[];
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#wrap(() => this.#db.prepare(sql).get(...params)) as Row | undefined;
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#wrap(() => this.#db.prepare(sql).run(...params)).changes);
  }

  /** Runs `fn` holding the write lock (BEGIN IMMEDIATE); `fn` must not await. */
  immediate<T>(fn: () => T): T {
    this.#wrap(() => this.#db.exec('BEGIN IMMEDIATE'));
    try {
      const result = fn();
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
      const errcode = ((error as { errcode?: number }).errcode ?? 0) & 0xff;
      if (errcode !== 5 && errcode !== 6) throw error;
      throw new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `the image database ${this.path} stayed locked for ${BUSY_TIMEOUT_MS} ms`, this.path,
        { cause: error, hint: 'another isola holds it: retry, and look for a hung isola process if it persists' });
    }
  }
}

function migrate(db: ImageDb, raw: DatabaseSync): void {
  const version = () => Number((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version() === MIGRATIONS.length) return;
  raw.exec('PRAGMA journal_mode = WAL');
  db.immediate(() => {
    // Read again under the lock: a concurrent isola may have migrated meanwhile.
    const current = version();
    if (current > MIGRATIONS.length) {
      throw new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `the image database ${db.path} has schema version ${current}, newer than this isola knows`,
        db.path, { hint: 'use the isola version that wrote it, or a newer one' });
    }
    for (const sql of MIGRATIONS.slice(current)) raw.exec(sql);
    raw.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
  });
}

/** Opens (creating when needed) `<dir>/images.db`. */
export async function openImageDb(dir: string): Promise<ImageDb> {
  const path = join(dir, 'images.db');
  let raw: DatabaseSync;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { DatabaseSync } = await import('node:sqlite');
    raw = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `cannot open the image database ${path}: ${(error as Error).message}`, path,
      { cause: error, hint: `check that ${dir} is writable by this user (or pass another --root)` });
  }
  const db = new ImageDb(path, raw);
  try {
    raw.exec('PRAGMA foreign_keys = ON');
    migrate(db, raw);
    db.run('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
