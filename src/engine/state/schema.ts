/**
 * The state database's schema, one migration per version (PRAGMA user_version).
 * Released migrations never change: a new version appends one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: id ranges given to containers (#3). A row is held by processes (the isola
  // that allocated it, then the container's monitor) and is collected once all of
  // them are gone; a row with no holder belongs to its container until removal.
  `CREATE TABLE id_allocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container_id TEXT UNIQUE,
    host_uid INTEGER NOT NULL,
    host_gid INTEGER NOT NULL,
    size INTEGER NOT NULL CHECK (size > 0),
    holder_pid INTEGER,
    holder_start_time INTEGER,
    monitor_pid INTEGER,
    monitor_start_time INTEGER,
    created_ms INTEGER NOT NULL
  ) STRICT`,
];
