import { appendFileSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { PlatformClient } from '../../lib/protocol/client.js';
import type { CompleteRequest, Lease, ResultsManifest, RunIsolation } from '../../common/protocol/index.js';
import { Heartbeat } from './heartbeat.js';
import { LeaseStop } from './lease-stop.js';
import { Abandoned, completeLease, isTransient, uploadResultFile, type LeaseWriter } from './lease-writes.js';
import type { LeaseReleaser } from './lease-release.js';
import type { NextLeaseAsk } from './next-lease.js';
import { LogShipper } from './log-shipper.js';
import { collectResults, uploadResults } from './results-upload.js';
import { recordProcessGroup } from './run-process-groups.js';
import { runVerdict } from './run-verdict.js';
import type { ChildExit, PreparedEnvironment, Runtime, RunningChild } from './runtimes/runtime.js';
import { removeStagedRun, type RunStager, type StagedRun } from './staging.js';

/** How one lease ended on this worker. */
export type LeaseOutcome = 'completed' | 'abandoned' | 'handed-back';

export interface RunLeaseOptions {
  client: PlatformClient;
  runtime: Runtime;
  lease: Lease;
  workDir: string;
  stager: RunStager;
  /** Between SIGTERM and SIGKILL when a run is cancelled, times out or is handed back. */
  killGraceMs: number;
  workerId: string;
  /** The GPUs (indices) this run may use on a worker running several at once. */
  gpuDevices?: readonly number[];
  /** Asked as the run completes: the worker's next lease, leased in the completion's request. */
  nextLease?: NextLeaseAsk;
  /** Gives the lease of a run handed back (drain) to the platform, so the run need not wait for it to lapse. */
  releaser?: LeaseReleaser;
  /** The worker's own diagnostics (its stderr), not the run's log. */
  log(message: string): void;
}

/**
 * One line per attempt in <work>/timings.jsonl: when the lease arrived, when the operating system
 * started the command, when it exited. The run record only has server-side times; this journal is
 * what the dispatch benchmark reads for the child's own start.
 */
export interface AttemptTimings {
  runId: string;
  fencingToken: number;
  leasedAt: number;
  spawnedAt: number | null;
  exitedAt: number | null;
  outcome: LeaseOutcome;
  state: CompleteRequest['state'] | null;
}

export const TIMINGS_FILE = 'timings.jsonl';

export interface LeaseExecution {
  /** Settles once the run is over and cleaned up, with the lease its completion handed on (or null). */
  done: Promise<{ outcome: LeaseOutcome; next: Lease | null }>;
  /**
   * Drain: stop the run now and, once its command has exited, give its lease back so another
   * worker may take it at once (when the platform cannot take it back, the lease lapses).
   */
  handBack(): void;
}

function reopen(staged: StagedRun, path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(join(staged.results, path))) as ReadableStream<Uint8Array>;
}

/** What the command finds in its environment besides the runtime's own: its run, attempt and parameters. */
function runEnvironment(lease: Lease): Record<string, string> {
  const env: Record<string, string> = { BENCHTOP_RUN_ID: lease.runId, BENCHTOP_ATTEMPT: String(lease.run.attempt), PARAMETERS: JSON.stringify(lease.run.parameters) };
  for (const [name, value] of Object.entries(lease.run.parameters)) env[`PARAM_${name}`] = String(value);
  return env;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * One lease on this worker, one method per step: stage the run's folder, prepare its environment,
 * start the command, follow it to its exit while the logs ship, upload its results, complete the
 * lease; then journal the attempt and clean up. A stop (cancel, timeout, lost lease, hand-back)
 * may come during any step, so the lease is checked after each one that waits.
 */
class LeaseRun {
  readonly timings: AttemptTimings;
  private readonly stop: LeaseStop;
  private readonly shipper: LogShipper;
  private readonly heartbeat: Heartbeat;
  private readonly writer: LeaseWriter;
  private staged: StagedRun | null = null;
  private isolation: RunIsolation | null = null;
  private environment: PreparedEnvironment | null = null;

  constructor(private readonly options: RunLeaseOptions) {
    const { client, lease } = options;
    this.timings = { runId: lease.runId, fencingToken: lease.fencingToken, leasedAt: now(), spawnedAt: null, exitedAt: null, outcome: 'abandoned', state: null };
    const stop = new LeaseStop(options.killGraceMs);
    this.stop = stop;
    this.shipper = new LogShipper({
      send: (batch) => client.uploadLogs(lease.leaseId, batch),
      fencingToken: lease.fencingToken,
      onStale: () => stop.request('lost', 'the platform refused a log batch: the lease is stale'),
    });
    this.heartbeat = new Heartbeat({
      send: (body) => client.heartbeat(lease.leaseId, body),
      fencingToken: lease.fencingToken,
      heartbeatMs: lease.heartbeatMs,
      expiresAt: lease.expiresAt,
      onCancel: () => stop.request('cancel', 'cancelled by user'),
      onLost: (reason) => stop.request('lost', reason),
    });
    this.writer = { client, leaseId: lease.leaseId, fencingToken: lease.fencingToken, checkLease: () => stop.checkLease() };
  }

  handBack(): void {
    this.stop.request('hand-back', 'the worker is shutting down and its drain grace ran out');
  }

  async run(): Promise<{ outcome: LeaseOutcome; next: Lease | null }> {
    let next: Lease | null = null;
    try {
      const body = await this.execute();
      await this.shipper.close();
      this.stop.checkLease();
      const ask = this.options.nextLease;
      const nextRequest = ask?.request();
      next = await completeLease(this.writer, nextRequest ? { ...body, next: nextRequest } : body, undefined, () => ask?.refused());
      this.timings.state = body.state;
      this.timings.outcome = 'completed';
    } catch (error) {
      this.shipper.abort();
      this.timings.outcome = this.stop.handedBack ? 'handed-back' : 'abandoned';
      this.options.log(`run ${this.options.lease.runId} (lease ${this.options.lease.leaseId}) ${this.timings.outcome}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.heartbeat.stop();
      await this.stop.childStopped;
      this.environment?.release?.();
    }
    // Only once the command is gone: another worker may start the run as soon as it is released.
    // A hand-back that came while the completion was landing leaves nothing to give back.
    if (this.stop.handedBack && this.stop.reason && this.timings.outcome !== 'completed') await this.options.releaser?.release(this.options.lease, this.stop.reason.message);
    this.journal();
    this.removeFolder();
    return { outcome: this.timings.outcome, next };
  }

  /** The record the lease completes with; throws Abandoned when nothing may be written. */
  private async execute(): Promise<CompleteRequest> {
    const token = this.options.lease.fencingToken;
    try {
      const staged = await this.stage();
      const environment = await this.prepare();
      const reason = this.stop.reason;
      if (reason?.kind === 'cancel') return { fencingToken: token, state: 'cancelled', exitCode: null, error: reason.message };
      const running = await this.start(staged, environment);
      const exit = await this.follow(running);
      this.stop.checkLease();
      const base = { fencingToken: token, exitCode: exit.exitCode, isolation: running.isolation, environment: environment.resolved, ...(environment.digest ? { imageDigest: environment.digest } : {}) };
      const results = await this.uploadResults(staged);
      this.stop.checkLease();
      return runVerdict(base, exit, this.stop.reason, results);
    } catch (error) {
      return this.failure(error);
    }
  }

  private async stage(): Promise<StagedRun> {
    const staged = await this.options.stager.stage(this.options.lease);
    this.staged = staged;
    this.stop.checkLease();
    return staged;
  }

  private async prepare(): Promise<PreparedEnvironment> {
    const { run } = this.options.lease;
    const environment = await this.options.runtime.prepareEnvironment(run.environment, (line) => this.shipper.note(line), {
      lock: run.environmentLock,
      imageDigest: run.imageDigest,
      partial: run.partialEnvironment,
    });
    this.environment = environment;
    this.stop.checkLease();
    return environment;
  }

  private async start(staged: StagedRun, environment: PreparedEnvironment): Promise<RunningChild> {
    const { lease, runtime } = this.options;
    // The protocol has no field for how a run was executed, so its log says it.
    this.shipper.note(
      `attempt ${lease.run.attempt} on ${this.options.workerId}: ${runtime.description}, environment ${environment.hash.slice(0, 12)} (${environment.image ? `${environment.image}; ` : ''}${environment.resolved.summary})`,
    );
    const running = await runtime.start({
      runId: lease.runId,
      command: lease.run.command,
      env: runEnvironment(lease),
      mounts: staged,
      network: lease.run.network,
      resources: lease.run.resources,
      ...(this.options.gpuDevices?.length ? { gpuDevices: this.options.gpuDevices } : {}),
      environment,
    });
    this.timings.spawnedAt = running.startedAt;
    if (running.processGroup !== undefined) recordProcessGroup(staged.root, running.processGroup);
    this.isolation = running.isolation;
    this.heartbeat.markStarted(running.isolation, environment.resolved);
    this.shipper.note(`isolation: ${running.isolation.summary}`);
    this.stop.started(running);
    return running;
  }

  /** Ships the command's output until it has exited and its pipes are drained; stops it at its time limit. */
  private async follow(running: RunningChild): Promise<ChildExit> {
    const { timeoutSeconds } = this.options.lease.run.resources;
    const timeout = setTimeout(() => this.stop.request('timeout', `timed out after ${timeoutSeconds} s`), timeoutSeconds * 1000);
    const outputs = Promise.all([this.shipper.attach(running.stdout, 'stdout'), this.shipper.attach(running.stderr, 'stderr')]);
    let exit: ChildExit;
    try {
      exit = await running.exit;
    } finally {
      clearTimeout(timeout);
    }
    this.timings.exitedAt = now();
    await outputs;
    return exit;
  }

  private async uploadResults(staged: StagedRun): Promise<ResultsManifest> {
    const files = await collectResults(staged.results, (path) => this.shipper.note(`result ${path} is not a regular file; not uploaded`));
    return uploadResults(files, (file, body) => uploadResultFile(this.writer, file, (attempt) => (attempt === 0 ? body : reopen(staged, file.path))));
  }

  /** A step failed: the run failed, unless the lease is gone or the platform could not be reached. */
  private failure(error: unknown): CompleteRequest {
    if (error instanceof Abandoned) throw error;
    this.stop.checkLease();
    // The platform being unreachable is not the run's fault: leave it to lapse and be retried.
    if (isTransient(error)) throw new Abandoned(`the platform could not be reached: ${(error as Error).message}`);
    const message = error instanceof Error ? error.message : String(error);
    this.shipper.note(message);
    return {
      fencingToken: this.options.lease.fencingToken,
      state: 'failed',
      exitCode: null,
      error: message,
      ...(this.isolation ? { isolation: this.isolation } : {}),
      ...(this.environment ? { environment: this.environment.resolved } : {}),
    };
  }

  private journal(): void {
    try {
      appendFileSync(join(this.options.workDir, TIMINGS_FILE), `${JSON.stringify(this.timings)}\n`);
    } catch (error) {
      this.options.log(`could not write ${TIMINGS_FILE}: ${(error as Error).message}`);
    }
  }

  // The folder is deleted while the worker already polls for its next run: a queued run should
  // not wait for it. A worker that dies first leaves it to the next start's sweep.
  private removeFolder(): void {
    const staged = this.staged;
    if (staged) void removeStagedRun(staged).catch((e: Error) => this.options.log(`could not remove ${staged.root}: ${e.message}`));
  }
}

export function runLease(options: RunLeaseOptions): LeaseExecution {
  const run = new LeaseRun(options);
  return { done: run.run(), handBack: () => run.handBack() };
}
