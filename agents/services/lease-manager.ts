import type { z } from 'zod';
import type { QueueName } from '../../common/protocol/common.js';
import type { completeRequest, CompleteResponse, Lease, leaseRequest, nextLeaseRequest, ReleaseResponse } from '../../common/protocol/leases.js';
import type { LogLineUpload } from '../../common/protocol/logs.js';
import type { FileEntry } from '../../common/protocol/datasets.js';
import type { ResolvedEnvironment, Run, RunIsolation, RunState } from '../../common/protocol/runs.js';
import type { Db, WriteQueue } from './db.js';
import { badInput, conflict, notFound } from './http-error.js';
import { newId, nowIso, sha256 } from './ids.js';
import type { Notifier } from './notifier.js';
import type { Presence } from './presence.js';
import { type RunRow } from './run-record.js';
import { isFinished } from '../../common/protocol/runs.js';
import type { RunsStore } from './runs-store.js';
import type { RunPricing } from './run-pricing.js';
import { SecretKeyError } from './secret-box.js';
import { runCostUsd, runShare, type HourlyPrice } from '../../common/cost/run-cost.js';

export interface LeaseConfig {
  /** A lease lives this long after its last heartbeat. */
  leaseTtlMs: number;
  /** What workers are told to heartbeat at (a fraction of the TTL). */
  heartbeatMs: number;
  /** Upper bound of a long-poll, whatever the worker asks. */
  maxWaitMs: number;
}

export interface LeaseManagerOptions extends LeaseConfig {
  db: Db;
  writes: WriteQueue;
  runs: RunsStore;
  presence: Presence;
  /** Wakes the workers long-polling a queue when it gains a run. */
  queues: Notifier;
  /** Wakes the followers of a run's log when it grows or the run finishes. */
  logsChanged: Notifier;
  /** For tests: the clock leases expire by. */
  now?: () => number;
}

export interface LeaseRow {
  n: number; id: string; run_id: string; fencing_token: number; worker_id: string; attempt: number;
  expires_at_ms: number; state: 'active' | 'expired' | 'completed' | 'released'; log_count: number; created_at: string;
  release_reason: string | null; attempt_counted: 0 | 1;
}

/** What a release did: the answer, and the line it wrote to the run's log (none for a retried release). */
export interface Released extends ReleaseResponse {
  logged: { runN: number; seq: number; line: LogLineUpload } | null;
}

/** What a finished run hands to observers (metrics, log followers). */
export interface Finished {
  run: Run;
  durationSeconds: number | null;
}

const STREAM_CODE = { stdout: 1, stderr: 2 } as const;
const LINES_PER_INSERT = 100;

/**
 * The worker side of the queue: leases with fencing tokens, heartbeats, expiry and requeue, log
 * batches, result records and completion. A write is accepted only from the run's current live
 * lease carrying that lease's fencing token; anything else is a stale worker and gets 409.
 */
export class LeaseManager {
  private readonly finishedListeners: Array<(f: Finished) => void> = [];
  private logsAppended: ((runN: number, firstSeq: number, lines: LogLineUpload[]) => void) | null = null;
  private hold: (() => string | null) | null = null;
  private handOnHold: ((completed: Run) => boolean) | null = null;
  private pricing: RunPricing | null = null;

  private readonly db: Db;
  private readonly writes: WriteQueue;
  private readonly runs: RunsStore;
  private readonly presence: Presence;
  private readonly queues: Notifier;
  private readonly logsChanged: Notifier;
  private readonly config: LeaseConfig;
  private readonly now: () => number;

  constructor(options: LeaseManagerOptions) {
    this.db = options.db;
    this.writes = options.writes;
    this.runs = options.runs;
    this.presence = options.presence;
    this.queues = options.queues;
    this.logsChanged = options.logsChanged;
    this.config = { leaseTtlMs: options.leaseTtlMs, heartbeatMs: options.heartbeatMs, maxWaitMs: options.maxWaitMs };
    this.now = options.now ?? Date.now;
  }

  /** While `hold` answers a reason (the budget is spent), no run is leased: queued runs stay queued. */
  setHold(hold: () => string | null): void {
    this.hold = hold;
  }

  /**
   * Asked of each completion with `next` before its next lease is taken: true hands nothing on
   * (the worker asks on its own). For a hold this very completion may set, such as a budget its
   * cost reaches, which `hold` cannot know of yet inside the completion's transaction.
   */
  setHandOnHold(hold: (completed: Run) => boolean): void {
    this.handOnHold = hold;
  }

  /** Prices each lease from what its worker reports (run-pricing.ts). */
  setPricing(pricing: RunPricing): void {
    this.pricing = pricing;
  }

  onFinished(listener: (f: Finished) => void): void {
    this.finishedListeners.push(listener);
  }

  /** Runs inside the write that stored a log batch (the per-run log limit trims there). */
  onLogsAppended(listener: (runN: number, firstSeq: number, lines: LogLineUpload[]) => void): void {
    this.logsAppended = listener;
  }

  private emitFinished(run: Run): void {
    const durationSeconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
    this.logsChanged.notify(run.id);
    for (const l of this.finishedListeners) l({ run, durationSeconds });
  }

  /**
   * Long-polls for a run of the queue until `waitMs` (bounded) passes or the worker hangs up.
   * `onGivenBack` hears of a lease given back because its worker hung up as it was taken (its log line).
   */
  async acquire(req: z.output<typeof leaseRequest>, signal: AbortSignal, onGivenBack?: (released: Released) => void): Promise<Lease | null> {
    const deadline = this.now() + Math.min(req.waitMs, this.config.maxWaitMs);
    let woken = false;
    let passedOn = false;
    for (;;) {
      this.presence.seen(req.workerId, req.queue, req.gpus, req.agentVersion);
      if (signal.aborted) {
        // This poller was picked for a new run but its worker hung up: pass the run to the next one.
        if (woken) this.queues.notifyOne(req.queue);
        return null;
      }
      // Priced at each try, not once per poll: the local rate may change while a worker waits.
      const price = await this.priceOf(req);
      const lease = await this.writes.run(() => this.tryAcquire(req, price));
      if (lease && signal.aborted) {
        // Its worker hung up while this lease was taken: it never sees it, so it goes back at once
        // (its attempt with it) rather than lapsing, and the next poller is woken for the run.
        const released = await this.release(lease.leaseId, lease.fencingToken, 'its worker hung up before the lease reached it');
        onGivenBack?.(released);
        return null;
      }
      if (lease) return lease;
      // Woken for a run too big for what this busy worker has free: wake the next poller instead.
      // Once per poll, so busy workers cannot wake each other in a circle.
      if (woken && req.free && !passedOn) {
        passedOn = true;
        this.queues.notifyOne(req.queue);
      }
      const left = deadline - this.now();
      if (left <= 0) return null;
      woken = await this.queues.wait(req.queue, left, signal);
    }
  }

  /**
   * The oldest queued run of the queue that fits, with its secret parameters decrypted. No worker
   * ever gets a run whose secrets do not decrypt: refused by the key (another key, a changed value),
   * it fails on the spot saying where the key is kept; while no key can be had at all, it waits.
   */
  private nextQueued(req: z.output<typeof nextLeaseRequest>): { row: RunRow; secrets: Run['parameters'] } | null {
    const { free } = req;
    let after = 0;
    for (;;) {
      const row = (
        free
          ? this.db
              .prepare(
                "SELECT * FROM runs WHERE queue = ? AND state = 'queued' AND n > ? AND json_extract(resources, '$.cpus') <= ? AND json_extract(resources, '$.memoryMb') <= ? AND json_extract(resources, '$.gpus') <= ? ORDER BY n LIMIT 1",
              )
              .get(req.queue, after, free.cpus, free.memoryMb, free.gpus)
          : this.db.prepare("SELECT * FROM runs WHERE queue = ? AND state = 'queued' AND n > ? ORDER BY n LIMIT 1").get(req.queue, after)
      ) as RunRow | undefined;
      if (!row) return null;
      try {
        return { row, secrets: this.runs.secretsOf(row) };
      } catch (error) {
        if (!(error instanceof SecretKeyError)) throw error;
        if (error.reason === 'refused') this.finish(row, { state: 'failed', exitCode: null, error: `not started: ${error.message}`, results: null, imageDigest: null });
        after = row.n;
      }
    }
  }

  private async priceOf(req: z.output<typeof nextLeaseRequest>): Promise<HourlyPrice | null> {
    if (this.pricing) return this.pricing.priceFor(req);
    return req.hourlyCostUsd === undefined ? null : { hourlyUsd: req.hourlyCostUsd, source: req.priceSource ?? "the worker's --hourly-cost" };
  }

  private tryAcquire(req: z.output<typeof nextLeaseRequest>, price: HourlyPrice | null, leaseId = newId('lse')): Lease | null {
    this.sweepInTransaction();
    if (this.hold?.()) return null;
    const picked = this.nextQueued(req);
    if (!picked) return null;
    const { row, secrets } = picked;
    const fencingToken = (this.db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'fencing' RETURNING value").get() as { value: number }).value;
    const expiresAt = this.now() + this.config.leaseTtlMs;
    const attempt = row.attempts + 1;
    this.db
      .prepare("INSERT INTO leases (id, run_id, fencing_token, worker_id, attempt, expires_at_ms, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)")
      .run(leaseId, row.id, fencingToken, req.workerId, attempt, expiresAt, nowIso());
    this.db
      .prepare(
        "UPDATE runs SET state = 'leased', lease_id = ?, attempts = ?, worker_id = ?, worker_instance_type = ?, hourly_cost_usd = ?, cost_source = ?, cost_share = ?, leased_at = ?, started_at = NULL WHERE n = ?",
      )
      .run(
        leaseId, attempt, req.workerId, req.instanceType ?? null, price?.hourlyUsd ?? null, price?.source ?? null,
        price ? runShare(JSON.parse(row.resources) as { cpus: number; memoryMb: number; gpus: number }, req.slots) : null, nowIso(), row.n,
      );
    return this.leaseAnswer(leaseId, fencingToken, expiresAt, row, secrets);
  }

  /** The lease as its worker receives it: the run's spec with its secret parameters. */
  private leaseAnswer(leaseId: string, fencingToken: number, expiresAt: number, row: RunRow, secrets: Run['parameters']): Lease {
    const run = this.runs.get(row.id);
    return {
      leaseId,
      runId: run.id,
      fencingToken,
      heartbeatMs: this.config.heartbeatMs,
      expiresAt: new Date(expiresAt).toISOString(),
      run: {
        runId: run.id, capsuleId: run.capsuleId, commit: run.commit, environment: run.environment, environmentHash: run.environmentHash,
        imageDigest: run.imageDigest, datasets: run.datasets, command: run.command,
        // Secrets reach only the worker that runs the command, never a run record.
        parameters: { ...run.parameters, ...secrets }, resources: run.resources, queue: run.queue,
        network: run.network, partialEnvironment: run.partialEnvironment,
        environmentLock: row.environment_lock ? (JSON.parse(row.environment_lock) as ResolvedEnvironment) : null, attempt: run.attempts,
      },
    };
  }

  /** Expires every lease past its time: the run goes back to the queue, or fails after its last attempt. */
  async sweep(): Promise<number> {
    const requeued = await this.writes.run(() => this.sweepInTransaction());
    return requeued.length;
  }

  private sweepInTransaction(): QueueName[] {
    const expired = this.db.prepare("SELECT * FROM leases WHERE state = 'active' AND expires_at_ms <= ?").all(this.now()) as LeaseRow[];
    const requeued: QueueName[] = [];
    for (const lease of expired) {
      const q = this.expire(lease);
      if (q) requeued.push(q);
    }
    // Woken pollers retry through the WriteQueue, so they see this transaction's commit.
    for (const q of requeued) setImmediate(() => this.queues.notifyOne(q));
    return requeued;
  }

  private expire(lease: LeaseRow): QueueName | null {
    this.db.prepare("UPDATE leases SET state = 'expired' WHERE n = ?").run(lease.n);
    const run = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(lease.run_id) as RunRow | undefined;
    if (!run || isFinished(run.state) || run.lease_id !== lease.id) return null;
    return this.requeueOrEnd(run, 'worker lost');
  }

  /**
   * A run whose lease ended without a verdict: queued again (answers its queue), or ended when a
   * cancel was asked or its attempts are used up (`lastAttemptError` says why).
   */
  private requeueOrEnd(run: RunRow, lastAttemptError: string): QueueName | null {
    if (run.cancel_requested) {
      this.finish(run, { state: 'cancelled', exitCode: null, error: 'cancelled by user', results: null, imageDigest: null });
      return null;
    }
    if (run.attempts >= run.max_attempts) {
      this.finish(run, { state: 'failed', exitCode: null, error: lastAttemptError, results: null, imageDigest: null });
      return null;
    }
    this.db
      .prepare("UPDATE runs SET state = 'queued', lease_id = NULL, worker_id = NULL, worker_instance_type = NULL, hourly_cost_usd = NULL, cost_source = NULL, cost_share = NULL, leased_at = NULL, started_at = NULL, isolation = NULL, resolved_environment = NULL WHERE n = ?")
      .run(run.n);
    return run.queue;
  }

  /**
   * Gives a live lease back without a verdict (a draining worker, or a poller that hung up): the
   * run is queued again at once and a poller woken, as the sweeper does for a lapsed lease. A run
   * whose command never started (no `started` heartbeat) gets its attempt back, so a lease its
   * worker never ran costs it nothing; a started run keeps the attempt counted. The run's log says
   * which worker gave it back and why. A retry with the same token answers the same release.
   */
  async release(leaseId: string, fencingToken: number, reason: string): Promise<Released> {
    const out = await this.writes.run(() => this.releaseInTransaction(leaseId, fencingToken, reason));
    if (out.logged) this.logsChanged.notify(out.run.id);
    return out;
  }

  private releaseInTransaction(leaseId: string, fencingToken: number, reason: string): Released {
    const done = this.db.prepare('SELECT * FROM leases WHERE id = ?').get(leaseId) as LeaseRow | undefined;
    if (done?.state === 'released' && done.fencing_token === fencingToken) {
      return { run: this.runs.get(done.run_id), attemptCounted: done.attempt_counted === 1, logged: null };
    }
    const { lease, run } = this.live(leaseId, fencingToken);
    const attemptCounted = run.state === 'running';
    this.db.prepare("UPDATE leases SET state = 'released', release_reason = ?, attempt_counted = ? WHERE n = ?").run(reason, attemptCounted ? 1 : 0, lease.n);
    const attempts = attemptCounted ? run.attempts : run.attempts - 1;
    if (!attemptCounted) this.db.prepare('UPDATE runs SET attempts = ? WHERE n = ?').run(attempts, run.n);
    const counted = attemptCounted ? `its command had started: attempt ${attempts} of ${run.max_attempts} counts` : 'its command had not started: the attempt does not count';
    const logged = this.logLine(run.n, `benchtop: worker ${lease.worker_id} gave the run back (${reason}); ${counted}`);
    const queue = this.requeueOrEnd({ ...run, attempts }, `its worker gave it back (${reason}) during its last attempt`);
    if (queue) setImmediate(() => this.queues.notifyOne(queue));
    return { run: this.runs.get(run.id), attemptCounted, logged };
  }

  /** One line of the platform's own in a run's log (stderr), after the lines its workers sent. */
  private logLine(runN: number, text: string): Released['logged'] {
    const line: LogLineUpload = { stream: 'stderr', ts: this.now(), text };
    return { runN, seq: this.appendAfterLast(runN, [line]), line };
  }

  private finish(
    run: RunRow,
    outcome: { state: RunState; exitCode: number | null; error: string | null; results: FileEntry[] | null; imageDigest: string | null; isolation?: RunIsolation; environment?: ResolvedEnvironment },
  ): Run {
    const finishedAt = this.now();
    const from = run.started_at ?? run.leased_at;
    const hours = from ? Math.max(0, finishedAt - Date.parse(from)) / 3_600_000 : 0;
    const cost = run.hourly_cost_usd === null ? null : runCostUsd(hours, run.hourly_cost_usd, run.cost_share ?? 1);
    this.db
      .prepare('UPDATE runs SET state = ?, exit_code = ?, error = ?, results = ?, image_digest = coalesce(?, image_digest), isolation = coalesce(isolation, ?), resolved_environment = coalesce(?, resolved_environment), finished_at = ?, cost_usd = ? WHERE n = ?')
      .run(
        outcome.state, outcome.exitCode, outcome.error, outcome.results ? JSON.stringify({ files: outcome.results }) : null,
        outcome.imageDigest, outcome.isolation ? JSON.stringify(outcome.isolation) : null, outcome.environment ? JSON.stringify(outcome.environment) : null,
        new Date(finishedAt).toISOString(), cost, run.n,
      );
    const finished = this.runs.get(run.id);
    setImmediate(() => this.emitFinished(finished));
    return finished;
  }

  /** The lease, checked live for a write: right token, still active, still the run's lease. */
  private live(leaseId: string, fencingToken: number): { lease: LeaseRow; run: RunRow } {
    const lease = this.db.prepare('SELECT * FROM leases WHERE id = ?').get(leaseId) as LeaseRow | undefined;
    if (!lease) throw notFound(`lease ${leaseId}`);
    if (lease.fencing_token !== fencingToken) {
      throw conflict(`fencing token ${fencingToken} does not belong to lease ${leaseId}; this worker's lease is stale`);
    }
    // Past its time the lease is dead even before the sweeper marks it (that happens in its own
    // transaction: this one is about to be rolled back by the 409).
    if (lease.state === 'active' && lease.expires_at_ms <= this.now()) lease.state = 'expired';
    if (lease.state !== 'active') throw conflict(`lease ${leaseId} is ${lease.state}; stop this run and take a new lease`);
    const run = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(lease.run_id) as RunRow;
    if (run.lease_id !== lease.id || isFinished(run.state)) throw conflict(`lease ${leaseId} no longer holds run ${run.id}`);
    return { lease, run };
  }

  /** Extends the lease; `started` marks the run running and keeps how it is confined. Answers whether the worker must cancel. */
  async heartbeat(leaseId: string, fencingToken: number, started: boolean, isolation?: RunIsolation, environment?: ResolvedEnvironment): Promise<{ cancel: boolean; expiresAt: string }> {
    return this.writes.run(() => {
      const { lease, run } = this.live(leaseId, fencingToken);
      this.presence.seen(lease.worker_id, run.queue);
      const expiresAt = this.now() + this.config.leaseTtlMs;
      this.db.prepare('UPDATE leases SET expires_at_ms = ? WHERE n = ?').run(expiresAt, lease.n);
      if (started && run.state === 'leased') {
        this.db
          .prepare("UPDATE runs SET state = 'running', started_at = ?, isolation = ?, resolved_environment = ? WHERE n = ?")
          .run(nowIso(), isolation ? JSON.stringify(isolation) : null, environment ? JSON.stringify(environment) : null, run.n);
      }
      return { cancel: run.cancel_requested === 1, expiresAt: new Date(expiresAt).toISOString() };
    });
  }

  /**
   * Appends a batch of log lines. `offset` counts lines within this lease, so a retried batch is
   * skipped where it overlaps; the stored seq continues the run's numbering across attempts.
   */
  async appendLogs(leaseId: string, fencingToken: number, offset: number, lines: LogLineUpload[]): Promise<{ next: number; runId: string; runN: number; firstSeq: number; added: number }> {
    const out = await this.writes.run(() => {
      const { lease, run } = this.live(leaseId, fencingToken);
      if (offset > lease.log_count) throw conflict(`log batch starts at line ${offset} but the server holds ${lease.log_count} lines of this lease; resend from ${lease.log_count}`);
      const fresh = lines.slice(lease.log_count - offset);
      const firstSeq = this.appendAfterLast(run.n, fresh);
      const next = Math.max(lease.log_count, offset + lines.length);
      if (next !== lease.log_count) this.db.prepare('UPDATE leases SET log_count = ? WHERE n = ?').run(next, lease.n);
      return { next, runId: run.id, runN: run.n, firstSeq, added: fresh.length };
    });
    if (out.added > 0) this.logsChanged.notify(out.runId);
    return out;
  }

  /** Appends lines after the run's last (its numbering goes on across attempts); answers the first one's seq. */
  private appendAfterLast(runN: number, lines: LogLineUpload[]): number {
    const firstSeq = ((this.db.prepare('SELECT max(seq) AS s FROM logs WHERE run_n = ?').get(runN) as { s: number | null }).s ?? 0) + 1;
    this.insertLines(runN, firstSeq, lines);
    this.logsAppended?.(runN, firstSeq, lines);
    return firstSeq;
  }

  // Many rows per INSERT statement: the per-statement cost dominated big batches.
  private insertLines(runN: number, firstSeq: number, lines: LogLineUpload[]): void {
    const one = this.db.prepare('INSERT INTO logs (run_n, seq, stream, ts, text) VALUES (?, ?, ?, ?, ?)');
    const many = this.db.prepare(`INSERT INTO logs (run_n, seq, stream, ts, text) VALUES ${Array(LINES_PER_INSERT).fill('(?, ?, ?, ?, ?)').join(', ')}`);
    const args: Array<number | string> = [];
    let i = 0;
    for (; i + LINES_PER_INSERT <= lines.length; i += LINES_PER_INSERT) {
      args.length = 0;
      for (let k = i; k < i + LINES_PER_INSERT; k++) {
        const line = lines[k]!;
        args.push(runN, firstSeq + k, STREAM_CODE[line.stream], line.ts, line.text);
      }
      many.run(args);
    }
    for (; i < lines.length; i++) one.run(runN, firstSeq + i, STREAM_CODE[lines[i]!.stream], lines[i]!.ts, lines[i]!.text);
  }

  /** Checks, before a result upload streams in, that the lease may write. */
  checkLive(leaseId: string, fencingToken: number): { runId: string } {
    return { runId: this.live(leaseId, fencingToken).run.id };
  }

  /** `admit` runs in the same write, after the lease check: it throws to refuse the file (limits, clashes). */
  async recordResult(leaseId: string, fencingToken: number, entry: FileEntry, objectKey: string, admit?: () => void): Promise<void> {
    await this.writes.run(() => {
      this.live(leaseId, fencingToken);
      admit?.();
      this.db
        .prepare('INSERT OR REPLACE INTO result_uploads (lease_id, path, size, sha256, object_key) VALUES (?, ?, ?, ?, ?)')
        .run(leaseId, entry.path, entry.size, entry.sha256, objectKey);
    });
  }

  /**
   * Ends the run with the worker's record. A retry of a completion that already landed answers the
   * same run. With `next`, the worker's next lease is taken in the same transaction, after the
   * completion and in a savepoint of its own: finished work never waits on leasing, so if taking
   * the next lease fails only that part is undone and the answer is `nextLease: null` (the worker
   * then polls, where the failure shows as the lease route's error).
   */
  async complete(leaseId: string, body: z.output<typeof completeRequest>): Promise<CompleteResponse> {
    const { next } = body;
    if (!next) return this.writes.run(() => this.completeInTransaction(leaseId, body));
    this.presence.seen(next.workerId, next.queue, next.gpus, next.agentVersion);
    const price = await this.priceOf(next);
    return this.writes.run(() => {
      const run = this.completeInTransaction(leaseId, body);
      if (this.handOnHold?.(run)) return { ...run, nextLease: null };
      let nextLease: Lease | null;
      try {
        nextLease = this.db.transaction(() => this.handOn(leaseId, next, price))();
      } catch {
        nextLease = null;
      }
      return { ...run, nextLease };
    });
  }

  /**
   * The lease a completion hands on. Its id is derived from the completed lease's, so a retried
   * completion (its first answer lost) finds it again: the same lease while it is unstarted, never
   * a second one; null once it has lapsed or started, since a worker that saw it retries nothing.
   */
  private handOn(completedLeaseId: string, next: z.output<typeof nextLeaseRequest>, price: HourlyPrice | null): Lease | null {
    const leaseId = `lse_${sha256(`${completedLeaseId} next`).slice(0, 20)}`;
    const handed = this.db.prepare('SELECT * FROM leases WHERE id = ?').get(leaseId) as LeaseRow | undefined;
    if (!handed) return this.tryAcquire(next, price, leaseId);
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(handed.run_id) as RunRow;
    if (handed.state !== 'active' || handed.expires_at_ms <= this.now() || row.lease_id !== leaseId || row.state !== 'leased') return null;
    return this.leaseAnswer(leaseId, handed.fencing_token, handed.expires_at_ms, row, this.runs.secretsOf(row));
  }

  private completeInTransaction(leaseId: string, body: z.output<typeof completeRequest>): Run {
    const lease = this.db.prepare('SELECT * FROM leases WHERE id = ?').get(leaseId) as LeaseRow | undefined;
    if (lease?.state === 'completed' && lease.fencing_token === body.fencingToken) {
      const run = this.runs.get(lease.run_id);
      if (run.state === body.state && run.exitCode === body.exitCode) return run;
    }
    const { run } = this.live(leaseId, body.fencingToken);
    const files = [...body.results.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const check = this.db.prepare('SELECT size, sha256 FROM result_uploads WHERE lease_id = ? AND path = ?');
    const seen = new Set<string>();
    files.forEach((f) => {
      if (seen.has(f.path)) throw badInput(`body.results.files: "${f.path}" appears twice`);
      seen.add(f.path);
      const up = check.get(leaseId, f.path) as { size: number; sha256: string } | undefined;
      if (!up) throw badInput(`body.results.files: "${f.path}" was not uploaded under this lease; PUT it to /api/v1/leases/${leaseId}/results/${f.path} first`);
      if (up.sha256 !== f.sha256 || up.size !== f.size) throw badInput(`body.results.files: "${f.path}" was uploaded as ${up.size} bytes sha256 ${up.sha256}, not as listed`);
    });
    this.db.prepare("UPDATE leases SET state = 'completed' WHERE id = ?").run(leaseId);
    return this.finish(run, {
      state: body.state,
      exitCode: body.exitCode,
      error: body.error ?? (body.state === 'cancelled' ? 'cancelled by user' : null),
      results: files,
      imageDigest: body.imageDigest ?? null,
      ...(body.isolation ? { isolation: body.isolation } : {}),
      ...(body.environment ? { environment: body.environment } : {}),
    });
  }

  /** The object key of a finished run's result file. */
  resultKey(runId: string, path: string): string | null {
    const row = this.db
      .prepare('SELECT u.object_key FROM runs r JOIN result_uploads u ON u.lease_id = r.lease_id WHERE r.id = ? AND u.path = ?')
      .get(runId, path) as { object_key: string } | undefined;
    return row?.object_key ?? null;
  }
}
