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
  // What a run executed in (image, or interpreter and lock list), the lock a rerun installs
  // again, and whether the run accepted a partial environment. Older runs recorded none.
  `
  ALTER TABLE runs ADD COLUMN resolved_environment TEXT;
  ALTER TABLE runs ADD COLUMN environment_lock TEXT;
  ALTER TABLE runs ADD COLUMN partial_environment INTEGER NOT NULL DEFAULT 0 CHECK (partial_environment IN (0, 1));
  `,
  // People and data (issue 17). The PI role: SQLite cannot change a CHECK in place (and refuses
  // writable_schema here), so users and tokens are rebuilt; tokens first, since they reference
  // users, and renaming users_v2 makes tokens_v2 reference "users" again. Tokens gain the time of
  // their latest use. Capsules and datasets get an owner and a visibility: the ones made before
  // ownership go to the first admin, shared with the lab, so nobody loses sight of them. Runs keep
  // who cancelled them and their secret parameters apart (never listed back). The audit trail
  // refuses UPDATE and DELETE.
  `
  CREATE TABLE users_v2 (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'pi', 'researcher', 'worker')), created_at TEXT NOT NULL
  ) STRICT;
  INSERT INTO users_v2 (n, id, name, role, created_at) SELECT n, id, name, role, created_at FROM users;
  CREATE TABLE tokens_v2 (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users_v2(id),
    hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT
  ) STRICT;
  INSERT INTO tokens_v2 (n, id, user_id, hash, label, created_at, revoked_at) SELECT n, id, user_id, hash, label, created_at, revoked_at FROM tokens;
  DROP TABLE tokens;
  DROP TABLE users;
  ALTER TABLE users_v2 RENAME TO users;
  ALTER TABLE tokens_v2 RENAME TO tokens;
  CREATE INDEX tokens_by_user ON tokens (user_id);

  ALTER TABLE capsules ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
  ALTER TABLE capsules ADD COLUMN visibility TEXT NOT NULL DEFAULT 'lab' CHECK (visibility IN ('private', 'lab'));
  ALTER TABLE datasets ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
  ALTER TABLE datasets ADD COLUMN visibility TEXT NOT NULL DEFAULT 'lab' CHECK (visibility IN ('private', 'lab'));
  UPDATE capsules SET owner_id = coalesce((SELECT id FROM users WHERE role = 'admin' ORDER BY n LIMIT 1), '');
  UPDATE datasets SET owner_id = coalesce((SELECT id FROM users WHERE role = 'admin' ORDER BY n LIMIT 1), '');
  CREATE INDEX capsules_by_owner ON capsules (owner_id);
  CREATE INDEX datasets_by_owner ON datasets (owner_id);
  CREATE TABLE collaborators (
    kind TEXT NOT NULL CHECK (kind IN ('capsule', 'dataset')), object_id TEXT NOT NULL, user_id TEXT NOT NULL,
    PRIMARY KEY (kind, object_id, user_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX collaborators_by_user ON collaborators (user_id, kind);

  ALTER TABLE runs ADD COLUMN cancelled_by TEXT;
  ALTER TABLE runs ADD COLUMN secrets TEXT NOT NULL DEFAULT '{}';
  CREATE INDEX runs_by_user ON runs (user_id, n);

  CREATE TABLE audit (
    n INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id TEXT, actor_name TEXT NOT NULL, action TEXT NOT NULL,
    target_kind TEXT NOT NULL, target_id TEXT NOT NULL, summary TEXT NOT NULL, detail TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_by_target ON audit (target_kind, target_id, n);
  CREATE INDEX audit_by_actor ON audit (actor_id, n);
  CREATE INDEX audit_by_action ON audit (action, n);
  CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  `,
  // Cost and backups: where each run's price came from and its share of the worker; the agent's
  // own settings (local rate, budget); restore drills, kept across restores.
  `
  ALTER TABLE runs ADD COLUMN cost_source TEXT;
  ALTER TABLE runs ADD COLUMN cost_share REAL;
  CREATE INDEX runs_by_finished ON runs (finished_at);
  CREATE TABLE platform_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
  CREATE TABLE restore_drills (
    n INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, trigger TEXT NOT NULL, backup TEXT,
    ok INTEGER NOT NULL, integrity TEXT, backup_runs INTEGER, backup_capsules INTEGER,
    live_runs INTEGER NOT NULL, live_capsules INTEGER NOT NULL, message TEXT NOT NULL
  ) STRICT;
  `,
  // Pipelines (issue 17): a run's inputs taken from other runs' results, pinned (upstream run,
  // manifest hash, mount); the results are kept as a dataset version made for that purpose, marked
  // with the run they came from so that dataset lists leave them out.
  `
  ALTER TABLE runs ADD COLUMN inputs TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE datasets ADD COLUMN origin_run TEXT;
  CREATE INDEX datasets_by_origin ON datasets (origin_run, owner_id);
  `,
  // Scheduled reproducibility checks (issue 17): a capsule's schedule and when it is next due, and
  // each check: the run it repeated, the re-run, and how their results compared.
  `
  ALTER TABLE capsules ADD COLUMN check_every_hours INTEGER;
  ALTER TABLE capsules ADD COLUMN check_next_at TEXT;
  CREATE INDEX capsules_checks_due ON capsules (check_next_at) WHERE check_every_hours IS NOT NULL;
  CREATE TABLE repro_checks (
    n INTEGER PRIMARY KEY, capsule_id TEXT NOT NULL, baseline_run TEXT NOT NULL, check_run TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL, finished_at TEXT,
    outcome TEXT CHECK (outcome IN ('reproduces', 'diverged', 'failed')), differences INTEGER, comparison TEXT
  ) STRICT;
  CREATE INDEX repro_checks_by_capsule ON repro_checks (capsule_id, n);
  `,
  // Secret parameters encrypted at rest: 1 once a run's `secrets` hold AES-GCM ciphertexts
  // (secret-box.ts). Rows left at 0 with secrets are sealed at start (sealPlainSecrets), which needs
  // the key, kept outside the database, so SQL alone cannot do it.
  `
  ALTER TABLE runs ADD COLUMN secrets_sealed INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX runs_plain_secrets ON runs (n) WHERE secrets_sealed = 0 AND secrets <> '{}';
  `,
  // Which dataset holds which blob (its bytes were sent to it, or a version of it lists them;
  // sealed = 1 once a version does): a file stored for one dataset is reused by another only for
  // a caller who can read a dataset holding it (datasets-store.ts). Filled from the versions.
  // blobs.key: where the bytes are when not at datasets/blobs/<aa>/<sha256> (a pre-signed upload
  // lands under its dataset's own key).
  `
  ALTER TABLE blobs ADD COLUMN key TEXT;
  CREATE TABLE dataset_blobs (
    sha256 TEXT NOT NULL, dataset_id TEXT NOT NULL REFERENCES datasets(id), sealed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sha256, dataset_id)
  ) STRICT, WITHOUT ROWID;
  INSERT OR IGNORE INTO dataset_blobs (sha256, dataset_id, sealed)
    SELECT DISTINCT json_extract(f.value, '$.sha256'), v.dataset_id, 1 FROM dataset_versions v, json_each(v.files) f;
  `,
  // Leases a draining worker gives back (release): the state 'released', why (as the worker said),
  // and whether the lease counted as one of its run's attempts (not when the command never
  // started). SQLite cannot change a CHECK in place, so leases are rebuilt; nothing references them.
  `
  CREATE TABLE leases_v2 (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, fencing_token INTEGER NOT NULL UNIQUE,
    worker_id TEXT NOT NULL, attempt INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'expired', 'completed', 'released')),
    log_count INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
    release_reason TEXT, attempt_counted INTEGER NOT NULL DEFAULT 1 CHECK (attempt_counted IN (0, 1))
  ) STRICT;
  INSERT INTO leases_v2 (n, id, run_id, fencing_token, worker_id, attempt, expires_at_ms, state, log_count, created_at)
    SELECT n, id, run_id, fencing_token, worker_id, attempt, expires_at_ms, state, log_count, created_at FROM leases;
  DROP TABLE leases;
  ALTER TABLE leases_v2 RENAME TO leases;
  CREATE INDEX leases_active ON leases (state, expires_at_ms);
  CREATE INDEX leases_by_run ON leases (run_id);
  `,
];
