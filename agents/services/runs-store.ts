import type { z } from 'zod';
import type { QueueName } from '../../common/protocol/common.js';
import type { createRunRequest, DatasetPin, Parameters, Run, RunInputPin, RunState } from '../../common/protocol/runs.js';
import type { User } from '../../common/protocol/users.js';
import type { CapsulesStore } from './capsules-store.js';
import type { DatasetsStore } from './datasets-store.js';
import type { Db, WriteQueue } from './db.js';
import { badInput, conflict, HttpError, notFound } from './http-error.js';
import { canonicalJson, newId, nowIso, sha256 } from './ids.js';
import type { Notifier } from './notifier.js';
import type { Presence } from './presence.js';
import { toRun, type RunRow } from './run-record.js';
import { isFinished } from '../../common/protocol/runs.js';
import type { SqlScope } from './access-policy.js';
import { recordAudit } from './audit-log.js';
import { SecretKeyError, type SecretBox } from './secret-box.js';

type CreateRunBody = z.output<typeof createRunRequest>;

export interface RunsConfig {
  maxAttempts: number;
  /** Seals secret parameters at rest; the key is kept outside the database. */
  secrets: SecretBox;
}

/** How long an Idempotency-Key names its run; after that the same key makes a new run. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

const DEFAULT_RESOURCES = { cpus: 1, memoryMb: 2048, timeoutSeconds: 3600 };

function mountName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned || 'data';
}

/** Without a usable key a run with secrets is refused with 503, naming where the key is kept. */
function withSecretsKey<T>(use: () => T): T {
  try {
    return use();
  } catch (error) {
    if (error instanceof SecretKeyError) throw new HttpError('unavailable', `${error.message}; runs without secret parameters still work`);
    throw error;
  }
}

/**
 * Run records: creation (idempotent), listing, cancel and rerun. Leasing lives in LeaseManager.
 * Every write goes through the WriteQueue and is durable before the caller is answered.
 */
export class RunsStore {
  private keysPurgedAt = 0;
  private hold: (() => string | null) | null = null;
  private secrets: SecretBox;

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly capsules: CapsulesStore,
    private readonly datasets: DatasetsStore,
    private readonly presence: Presence,
    private readonly queues: Notifier,
    private readonly config: RunsConfig,
  ) {
    this.secrets = config.secrets;
  }

  /** A key that could not be had at start and can now (retrySecretsKey) replaces the box. */
  useSecretBox(box: SecretBox): void {
    this.secrets = box;
  }

  row(id: string): RunRow {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw notFound(`run ${id}`);
    return row;
  }

  /** While `hold` answers a reason (the budget is spent), queued runs show it as why they wait. */
  setHold(hold: () => string | null): void {
    this.hold = hold;
  }

  present(row: RunRow): Run {
    return toRun(row, (q) => this.hold?.() ?? this.presence.waitingReason(q));
  }

  get(id: string): Run {
    return this.present(this.row(id));
  }

  /** `scope`: the runs the caller may read (AccessPolicy.runScope with alias "runs"); absent: all. */
  list(query: { state?: RunState; queue?: QueueName; capsuleId?: string; limit: number; cursor?: string }, scope?: SqlScope): { items: Run[]; next?: string } {
    const where: string[] = scope ? [scope.sql] : [];
    const args: Array<string | number> = scope ? [...scope.args] : [];
    for (const [column, value] of [['state', query.state], ['queue', query.queue], ['capsule_id', query.capsuleId]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    if (query.cursor !== undefined) {
      const before = Number(query.cursor);
      if (!Number.isSafeInteger(before) || before < 0) throw badInput('query.cursor: not a cursor this server gave out; use the "next" of a previous page');
      where.push('n < ?');
      args.push(before);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, query.limit + 1) as RunRow[];
    const items = rows.slice(0, query.limit);
    return { items: items.map((r) => this.present(r)), ...(rows.length > query.limit ? { next: String(items.at(-1)!.n) } : {}) };
  }

  private pinDatasets(body: CreateRunBody): DatasetPin[] {
    const mounts = new Set<string>();
    return body.datasets.map((d, i) => {
      const dataset = this.datasets.get(d.datasetId);
      const version = d.version ?? dataset.latestVersion;
      if (!version) throw badInput(`body.datasets.${i}: dataset ${d.datasetId} has no version yet; create one first`);
      this.datasets.getVersion(d.datasetId, version);
      const mount = d.mount ?? mountName(dataset.name);
      if (mounts.has(mount)) throw badInput(`body.datasets.${i}.mount: two datasets would be mounted at /data/${mount}; give one a "mount"`);
      mounts.add(mount);
      return { datasetId: d.datasetId, version, mount };
    });
  }

  /**
   * Creates a run, or with an idempotency key answers the run that key already made (same body),
   * or 409 (other body). `replayed` says which.
   */
  async create(body: CreateRunBody, user: User, idempotencyKey: string | undefined, inputs: RunInputPin[] = []): Promise<{ run: Run; replayed: boolean }> {
    // Only a keyed request is ever compared with an earlier one, so only it pays for the hash.
    const requestHash = idempotencyKey ? this.requestHash(body) : '';
    if (idempotencyKey) {
      const earlier = this.replay(user.id, idempotencyKey, requestHash);
      if (earlier) return { run: earlier, replayed: true };
    }
    const clash = Object.keys(body.secrets).find((name) => name in body.parameters);
    if (clash) throw badInput(`body.secrets.${clash}: "${clash}" is also in "parameters"; give it in one of the two`);
    const gpus = body.resources.gpus ?? (body.queue === 'gpu' ? 1 : 0);
    if (body.queue === 'cpu' && gpus > 0) throw badInput('body.resources.gpus: GPUs are only on the "gpu" queue; set "queue": "gpu"');
    const version = await this.capsules.version(body.capsuleId, body.ref ?? 'HEAD');
    const id = newId('run');
    const outcome = await this.writes.run(() => {
      if (idempotencyKey) {
        // Checked again inside the write: a concurrent request with the same key may have won.
        const earlier = this.replay(user.id, idempotencyKey, requestHash);
        if (earlier) return { run: earlier, replayed: true };
      }
      const datasets = this.pinDatasets(body);
      const resources = { ...DEFAULT_RESOURCES, ...body.resources, gpus };
      const network = body.network ?? version.environment.network ?? false;
      this.db
        .prepare(
          `INSERT INTO runs (id, user_id, capsule_id, commit_sha, environment, environment_hash, datasets, command, parameters,
             resources, queue, network, partial_environment, state, max_attempts, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        )
        .run(
          id, user.id, body.capsuleId, version.commit, JSON.stringify(version.environment), sha256(canonicalJson(version.environment)),
          JSON.stringify(datasets), JSON.stringify(body.command ?? version.command), JSON.stringify(body.parameters),
          JSON.stringify(resources), body.queue, network ? 1 : 0, body.partialEnvironment ? 1 : 0, this.config.maxAttempts, nowIso(),
        );
      // Kept apart from the parameters, so that no record of the run ever lists their values, and
      // encrypted, so that neither the database nor its backups hold them.
      if (Object.keys(body.secrets).length > 0) this.storeSecrets(id, body.secrets);
      if (inputs.length > 0) this.db.prepare('UPDATE runs SET inputs = ? WHERE id = ?').run(JSON.stringify(inputs), id);
      recordAudit(this.db, { actor: user, action: 'run.create', targetKind: 'run', targetId: id, summary: `launched a run of capsule ${body.capsuleId} at ${version.commit.slice(0, 12)}`, detail: { capsuleId: body.capsuleId, commit: version.commit } });
      if (idempotencyKey) {
        // A key that expired may be used again: its old row is replaced.
        this.db
          .prepare('INSERT OR REPLACE INTO idempotency (user_id, key, request_hash, run_id, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(user.id, idempotencyKey, requestHash, id, nowIso());
        this.purgeExpiredKeys();
      }
      return { run: this.get(id), replayed: false };
    });
    if (!outcome.replayed) this.queues.notifyOne(outcome.run.queue);
    return outcome;
  }

  /** What an Idempotency-Key remembers of a request; its secrets only as a keyed digest. */
  private requestHash(body: CreateRunBody): string {
    if (Object.keys(body.secrets).length === 0) return sha256(canonicalJson(body));
    return sha256(canonicalJson({ ...body, secrets: withSecretsKey(() => this.secrets.fingerprint(body.secrets)) }));
  }

  private storeSecrets(runId: string, secrets: Parameters): void {
    const sealed = withSecretsKey(() => this.secrets.seal(runId, secrets));
    this.db.prepare('UPDATE runs SET secrets = ?, secrets_sealed = 1 WHERE id = ?').run(sealed, runId);
  }

  /**
   * The secret parameters of a run, decrypted (for its lease or a re-run). SecretKeyError, naming
   * where the key is kept, when they cannot be: no key, another key, or a changed ciphertext.
   */
  secretsOf(row: RunRow): Parameters {
    // A row not sealed yet (restored from a backup older than sealing, until sealPlainSecrets runs).
    if (row.secrets_sealed === 0) return JSON.parse(row.secrets) as Parameters;
    return this.secrets.open(row.id, row.secrets);
  }

  private secretsForRerun(src: RunRow): Parameters {
    try {
      return this.secretsOf(src);
    } catch (error) {
      if (error instanceof SecretKeyError) {
        const message = `run ${src.id} cannot be re-run with its secret parameters: ${error.message}`;
        throw error.reason === 'no-key' ? new HttpError('unavailable', message) : conflict(message);
      }
      throw error;
    }
  }

  /**
   * Encrypts the secrets of every run that still holds them in plain text (a database from before
   * sealing, or a restored old backup), in one transaction; answers how many runs. The old text is
   * overwritten in the file (secure_delete, then VACUUM) and the WAL emptied, so no page keeps it.
   * Without a usable key nothing is changed: `problem` says why (or what is left when VACUUM failed).
   */
  async sealPlainSecrets(): Promise<{ sealed: number; problem: string | null }> {
    const count = () => (this.db.prepare("SELECT count(*) AS c FROM runs WHERE secrets_sealed = 0 AND secrets <> '{}'").get() as { c: number }).c;
    if (count() === 0) return { sealed: 0, problem: null };
    const problem = this.secrets.problem;
    if (problem) return { sealed: 0, problem: `${count()} runs keep their secret parameters in plain text: ${problem}` };
    const secureDelete = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      const sealed = await this.writes.run(() => {
        const rows = this.db.prepare("SELECT id, secrets FROM runs WHERE secrets_sealed = 0 AND secrets <> '{}'").all() as Array<{ id: string; secrets: string }>;
        // Most such runs are finished, and the database refuses to change a finished run: sealing
        // changes only how its secrets are kept, so the trigger is lifted for it alone, inside this
        // transaction (as the migrations do), and put back as it was.
        const immutable = this.db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'runs_finished_are_immutable'").get() as { sql: string } | undefined;
        if (immutable) this.db.exec('DROP TRIGGER runs_finished_are_immutable');
        // An older agent kept a plain hash of the whole request, secrets included, for its
        // Idempotency-Key: a weak secret could be guessed from it. It never matches a request
        // hashed today, so a retry with that key is refused (409) as it would have been anyway.
        const forget = this.db.prepare("UPDATE idempotency SET request_hash = 'secrets sealed since' WHERE run_id = ?");
        for (const row of rows) {
          this.storeSecrets(row.id, JSON.parse(row.secrets) as Parameters);
          forget.run(row.id);
        }
        if (immutable) this.db.exec(immutable.sql);
        return rows.length;
      });
      // secure_delete clears only what this write frees: the older agent's own updates of those
      // rows left copies of the old text in the pages' free space, which only rebuilding the file
      // drops. Outside the write: VACUUM cannot run in a transaction, and none is open between turns.
      let leftover: string | null = null;
      if (sealed > 0) {
        try {
          this.db.exec('VACUUM');
        } catch (error) {
          leftover = `sealed the secret parameters of ${sealed} runs, but the database file may still hold their old text in free space until it is vacuumed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      return { sealed, problem: leftover };
    } finally {
      this.db.pragma(`secure_delete = ${secureDelete}`);
    }
  }

  private keysValidSince(): string {
    return new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS).toISOString();
  }

  /** Expired keys are deleted at most once an hour, inside a keyed submit's write. */
  private purgeExpiredKeys(): void {
    if (Date.now() - this.keysPurgedAt < 3600_000) return;
    this.keysPurgedAt = Date.now();
    this.db.prepare('DELETE FROM idempotency WHERE created_at <= ?').run(this.keysValidSince());
  }

  private replay(userId: string, key: string, requestHash: string): Run | null {
    const row = this.db.prepare('SELECT request_hash, run_id FROM idempotency WHERE user_id = ? AND key = ? AND created_at > ?').get(userId, key, this.keysValidSince()) as
      | { request_hash: string; run_id: string }
      | undefined;
    if (!row) return null;
    if (row.request_hash !== requestHash) {
      throw conflict(`Idempotency-Key "${key}" was already used for a different request (run ${row.run_id}); use a new key for a new run`);
    }
    return this.get(row.run_id);
  }

  /** Queued runs are cancelled at once; leased or running ones are flagged for their worker's next heartbeat. `user` is recorded as who cancelled. */
  async cancel(id: string, user: User): Promise<Run> {
    const run = await this.writes.run(() => {
      const row = this.row(id);
      if (row.state === 'queued') {
        this.db.prepare("UPDATE runs SET state = 'cancelled', finished_at = ?, error = 'cancelled by user', cancelled_by = ? WHERE n = ?").run(nowIso(), user.id, row.n);
      } else if (!isFinished(row.state)) {
        this.db.prepare('UPDATE runs SET cancel_requested = 1, cancelled_by = coalesce(cancelled_by, ?) WHERE n = ?').run(user.id, row.n);
      }
      if (!isFinished(row.state)) recordAudit(this.db, { actor: user, action: 'run.cancel', targetKind: 'run', targetId: id, summary: `cancelled run ${id} (${row.state})` });
      return this.get(id);
    });
    return run;
  }

  /** A new queued run with exactly the record of `id`: commit, environment (the image it ran, or its lock list), datasets, command, parameters, resources, queue, network. */
  async rerun(id: string, user: User): Promise<Run> {
    const newRunId = newId('run');
    const run = await this.writes.run(() => {
      const src = this.row(id);
      this.db
        .prepare(
          `INSERT INTO runs (id, user_id, capsule_id, commit_sha, environment, environment_hash, image_digest, datasets, command, parameters,
             resources, queue, network, partial_environment, environment_lock, state, max_attempts, created_at, rerun_of)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
        )
        .run(
          newRunId, user.id, src.capsule_id, src.commit_sha, src.environment, src.environment_hash, src.image_digest, src.datasets, src.command,
          src.parameters, src.resources, src.queue, src.network, src.partial_environment, src.resolved_environment ?? src.environment_lock,
          this.config.maxAttempts, nowIso(), src.id,
        );
      this.db.prepare('UPDATE runs SET inputs = ? WHERE id = ?').run(src.inputs, newRunId);
      // Sealed again for the new run: a ciphertext opens only under the run id it was sealed with.
      if (src.secrets !== '{}') this.storeSecrets(newRunId, this.secretsForRerun(src));
      recordAudit(this.db, { actor: user, action: 'run.rerun', targetKind: 'run', targetId: newRunId, summary: `re-ran run ${src.id}`, detail: { rerunOf: src.id } });
      return this.get(newRunId);
    });
    this.queues.notifyOne(run.queue);
    return run;
  }

  /** Queued and active runs per queue (an index range, cheap whatever the history). */
  queueCounts(): Record<QueueName, { queued: number; running: number }> {
    const byQueue: Record<QueueName, { queued: number; running: number }> = { cpu: { queued: 0, running: 0 }, gpu: { queued: 0, running: 0 } };
    const active = this.db
      .prepare("SELECT queue, state, count(*) AS c FROM runs WHERE state IN ('queued', 'leased', 'running') GROUP BY queue, state")
      .all() as Array<{ queue: QueueName; state: RunState; c: number }>;
    for (const r of active) {
      if (r.state === 'queued') byQueue[r.queue].queued += r.c;
      else byQueue[r.queue].running += r.c;
    }
    return byQueue;
  }

  /** Runs per state over the whole history (for /metrics). */
  stateCounts(): Record<RunState, number> {
    const byState: Record<RunState, number> = { queued: 0, leased: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const r of this.db.prepare('SELECT state, count(*) AS c FROM runs GROUP BY state').all() as Array<{ state: RunState; c: number }>) {
      byState[r.state] = r.c;
    }
    return byState;
  }
}
