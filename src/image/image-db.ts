/**
 * The image database, `<root>/images/images.db` (SQLite, WAL): names, images,
 * their layers, and the unpacked layers they share. Its own file, apart from the
 * container state database, so image commands never wait on container work.
 * The SQLite handling (busy timeout, WAL, migrations, transactions) is
 * sqlite/'s; this file brings the schema and the image errors.
 */
import { dirname, join } from 'node:path';
import { BUSY_TIMEOUT_MS, makeDatabaseDirectory, openSqliteDb, type Row, type SqliteDb, type SqliteErrors } from '../sqlite/index.ts';
import { ImageError } from './errors.ts';

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

/** Statements (all, get, run), BEGIN IMMEDIATE transactions (`immediate`), close. */
export type ImageDb = SqliteDb;
export type { Row };

function imageErrors(dir: string): SqliteErrors {
  return {
    busy: (path, cause) => new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `the image database ${path} stayed locked for ${BUSY_TIMEOUT_MS} ms`, path,
      { cause, hint: 'another isola holds it: retry, and look for a hung isola process if it persists' }),
    tooNew: (path, version) => new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `the image database ${path} has schema version ${version}, newer than this isola knows`,
      path, { hint: 'use the isola version that wrote it, or a newer one' }),
    unavailable: (path, cause) => new ImageError('ISOLA_IMAGE_STORE_UNAVAILABLE', `cannot open the image database ${path}: ${(cause as Error).message}`, path,
      { cause, hint: `check that ${dir} is writable by this user (or pass another --root)` }),
  };
}

/** Opens (creating when needed) `<dir>/images.db`. */
export async function openImageDb(dir: string): Promise<ImageDb> {
  return openSqliteDb({
    path: join(dir, 'images.db'), migrations: MIGRATIONS, errors: imageErrors(dir),
    // The engine root as the state database makes it (private, its parents
    // not), then images/ in it.
    makeDirectory: async () => {
      await makeDatabaseDirectory(dirname(dir));
      await makeDatabaseDirectory(dir);
    },
  });
}
