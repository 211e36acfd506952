import Database from 'better-sqlite3';
import { migrations } from './migrations.js';
import { preparePrivateDatabaseFile } from './private-paths.js';

export type Db = Database.Database;

/**
 * Opens the platform database. WAL lets readers run beside the writer; synchronous=FULL makes
 * every commit durable before we answer, so an acknowledged write survives kill -9 and power loss.
 * The file, its WAL and shared-memory files are readable by the agent's user only (0600).
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): Db {
  preparePrivateDatabaseFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  migrate(db);
  cacheStatements(db);
  return db;
}

/**
 * Compiles each SQL text once: preparing statements was the largest cost in the request profile.
 * Our SQL texts are constants (a handful of list-filter variants at most), so the cache stays small;
 * statements are only run with get/all/run, never iterated, so sharing one is safe. A statement
 * put in raw mode needs a SQL text of its own.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      cache.set(source, statement);
    }
    return statement;
  }) as Db['prepare'];
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(`the database is at schema version ${current}, newer than this services agent (${migrations.length}); upgrade the agent`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

interface PendingWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes that arrive in the same turn of the event loop run in one transaction, each
 * inside its own savepoint (one failing write does not undo the others), and every caller is
 * answered only after that transaction is durable. One fsync then serves many requests, which is
 * what lets a synchronous=FULL database keep up with thousands of submissions a second.
 */
export class WriteQueue {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) return this.flushOne(batch[0]!);
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    const savepoint = this.db.prepare('SAVEPOINT write');
    const release = this.db.prepare('RELEASE write');
    const undo = this.db.prepare('ROLLBACK TO write');
    try {
      this.db
        .transaction(() => {
          for (const write of batch) {
            // The batch still commits when a write throws (its outcome is that error), so the
            // changes it made before throwing must go: each write runs in its own savepoint.
            savepoint.run();
            try {
              outcomes.push({ ok: true, value: write.fn() });
            } catch (error) {
              undo.run();
              outcomes.push({ ok: false, value: error });
            }
            release.run();
          }
        })
        .immediate();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  }

  /** A lone write is its own transaction: if it throws, all of that transaction is rolled back. */
  private flushOne(write: PendingWrite): void {
    let value: unknown;
    try {
      value = this.db.transaction(write.fn).immediate();
    } catch (error) {
      write.reject(error);
      return;
    }
    write.resolve(value);
  }
}
