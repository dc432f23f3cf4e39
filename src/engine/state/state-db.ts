/**
 * The state database, `<root>/state.db`: the one place concurrent isola processes
 * agree on shared facts (which container holds which host ids). The SQLite
 * handling (busy timeout, WAL, migrations, transactions) is sqlite/'s; this
 * file brings the schema and the state errors.
 */
import { join } from 'node:path';
import { BUSY_TIMEOUT_MS, makeDatabaseDirectory, openSqliteDb, type SqliteDb, type SqliteErrors } from '../../sqlite/index.ts';
import { MIGRATIONS } from './schema.ts';
import { StateError } from './errors.ts';

export const STATE_DB_NAME = 'state.db';

/** Statements, BEGIN IMMEDIATE transactions (`immediate`), close. */
export type StateDb = SqliteDb;

function stateErrors(root: string): SqliteErrors {
  return {
    busy: (path, cause) => new StateError('ISOLA_STATE_DB_BUSY', `the state database ${path} stayed locked for ${BUSY_TIMEOUT_MS} ms`, path, {
      cause, hint: 'another isola holds it: retry, and look for a hung isola process if it persists',
    }),
    tooNew: (path, version) => new StateError('ISOLA_STATE_DB_TOO_NEW', `the state database ${path} has schema version ${version}, newer than this isola knows`,
      path, { hint: 'use the isola version that wrote it, or a newer one' }),
    unavailable: (path, cause) => new StateError('ISOLA_STATE_DB_UNAVAILABLE', `cannot open the state database ${path}: ${(cause as Error).message}`, path, {
      cause, hint: `check that ${root} is writable by this user (or pass another --root)`,
    }),
  };
}

/**
 * Opens (creating when needed) `<root>/state.db`.
 * @throws StateError ISOLA_STATE_DB_UNAVAILABLE, ISOLA_STATE_DB_BUSY, ISOLA_STATE_DB_TOO_NEW.
 */
export async function openStateDb(root: string): Promise<StateDb> {
  return openSqliteDb({
    path: join(root, STATE_DB_NAME), migrations: MIGRATIONS, errors: stateErrors(root),
    makeDirectory: () => makeDatabaseDirectory(root),
  });
}
