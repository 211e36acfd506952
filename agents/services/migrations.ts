// Versioned schema. Each entry runs once, in order, inside one transaction with the
// `user_version` bump, so a crash mid-migration leaves the previous version intact.
// Never edit a shipped migration: append a new one.
export const migrations: readonly string[] = [
  `
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO counters (name, value) VALUES ('fencing', 0);

  CREATE TABLE users (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'researcher', 'worker')), created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE tokens (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users(id),
    hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT
  ) STRICT;

  CREATE TABLE capsules (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
    head TEXT NOT NULL, environment TEXT NOT NULL, command TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at TEXT NOT NULL) STRICT;
  CREATE TABLE datasets (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
    latest_version TEXT, created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE dataset_versions (
    n INTEGER PRIMARY KEY, dataset_id TEXT NOT NULL REFERENCES datasets(id), version TEXT NOT NULL,
    message TEXT NOT NULL, files TEXT NOT NULL, size INTEGER NOT NULL, created_at TEXT NOT NULL,
    UNIQUE (dataset_id, version)
  ) STRICT;

  CREATE TABLE runs (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, capsule_id TEXT NOT NULL,
    commit_sha TEXT NOT NULL, environment TEXT NOT NULL, environment_hash TEXT NOT NULL, image_digest TEXT,
    datasets TEXT NOT NULL, command TEXT NOT NULL, parameters TEXT NOT NULL, resources TEXT NOT NULL,
    queue TEXT NOT NULL CHECK (queue IN ('cpu', 'gpu')),
    state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
    lease_id TEXT, worker_id TEXT, worker_instance_type TEXT, hourly_cost_usd REAL,
    created_at TEXT NOT NULL, leased_at TEXT, started_at TEXT, finished_at TEXT,
    exit_code INTEGER, error TEXT, results TEXT, cost_usd REAL, rerun_of TEXT
  ) STRICT;
  CREATE INDEX runs_by_queue_state ON runs (queue, state, n);
  CREATE INDEX runs_by_state ON runs (state, n);
  CREATE INDEX runs_by_capsule ON runs (capsule_id, n);
  -- A finished run is a record: the database itself refuses to change it.
  CREATE TRIGGER runs_finished_are_immutable BEFORE UPDATE ON runs
    WHEN OLD.state IN ('succeeded', 'failed', 'cancelled')
    BEGIN SELECT RAISE(ABORT, 'a finished run is immutable'); END;

  CREATE TABLE idempotency (
    user_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, run_id TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (user_id, key)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE leases (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, fencing_token INTEGER NOT NULL UNIQUE,
    worker_id TEXT NOT NULL, attempt INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'expired', 'completed')),
    log_count INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX leases_active ON leases (state, expires_at_ms);

  CREATE TABLE logs (
    run_n INTEGER NOT NULL, seq INTEGER NOT NULL, stream INTEGER NOT NULL, ts REAL NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (run_n, seq)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE result_uploads (
    lease_id TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, object_key TEXT NOT NULL,
    PRIMARY KEY (lease_id, path)
  ) STRICT, WITHOUT ROWID;
  `,
  // Runs get network only when they ask. Runs recorded before had it unless they opted out with
  // the reserved parameter "network": false, and say so; the immutability trigger is lifted for
  // that backfill alone, inside this migration's transaction.
  `
  ALTER TABLE runs ADD COLUMN network INTEGER NOT NULL DEFAULT 0 CHECK (network IN (0, 1));
  ALTER TABLE runs ADD COLUMN isolation TEXT;
  DROP TRIGGER runs_finished_are_immutable;
  UPDATE runs SET network = CASE WHEN json_extract(parameters, '$.network') IN (0, 'false') THEN 0 ELSE 1 END;
  CREATE TRIGGER runs_finished_are_immutable BEFORE UPDATE ON runs
    WHEN OLD.state IN ('succeeded', 'failed', 'cancelled')
    BEGIN SELECT RAISE(ABORT, 'a finished run is immutable'); END;
  `,
  // Per-run limits: a run's result files are summed over its leases (index by run), and each run's
  // kept log (lines, bytes, where its head ends, what was dropped) is counted as it is appended.
  `
  CREATE INDEX leases_by_run ON leases (run_id);
  CREATE TABLE log_usage (
    run_n INTEGER PRIMARY KEY, lines INTEGER NOT NULL, bytes INTEGER NOT NULL, head_end INTEGER, head_bytes INTEGER,
    dropped_lines INTEGER NOT NULL DEFAULT 0, dropped_bytes INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  `,
];
