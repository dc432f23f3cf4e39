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
  // 2: containers that outlive the isola that made them (#5). A row is the
  // container's whole record; its id_allocations row (container_id) belongs to it
  // until the container is removed. creator_* names the isola creating or
  // starting it, monitor_* the shim that monitors it while it runs.
  `CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('creating', 'created', 'starting', 'running', 'paused', 'stopped')),
    rootfs TEXT NOT NULL,
    command TEXT NOT NULL,
    options TEXT NOT NULL,
    id_maps TEXT,
    run_dir TEXT NOT NULL,
    cgroup_dirs TEXT NOT NULL DEFAULT '[]',
    created_ms INTEGER NOT NULL,
    started_ms INTEGER,
    finished_ms INTEGER,
    exit_code INTEGER,
    pid INTEGER,
    pid_start_time INTEGER,
    monitor_pid INTEGER,
    monitor_start_time INTEGER,
    creator_pid INTEGER,
    creator_start_time INTEGER,
    restart_policy TEXT NOT NULL DEFAULT 'no',
    restart_max INTEGER NOT NULL DEFAULT 0,
    restart_count INTEGER NOT NULL DEFAULT 0,
    auto_remove INTEGER NOT NULL DEFAULT 0,
    stop_requested INTEGER NOT NULL DEFAULT 0
  ) STRICT`,
];
