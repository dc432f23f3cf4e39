/**
 * sqlite/: the one wrapper over node:sqlite that isola's database files share
 * (engine/state's state.db, image/'s images.db): opening with a busy timeout,
 * migrations by PRAGMA user_version, WAL, BEGIN IMMEDIATE transactions and
 * cached statements. It knows no table: each owner brings its schema and its
 * errors. Like errors/, it sits below every folder that keeps a database.
 */
export { BUSY_TIMEOUT_MS, isBusyError, makeDatabaseDirectory, openSqliteDb, SqliteDb, type OpenSqliteOptions, type Row, type SqliteErrors } from './sqlite-db.ts';
