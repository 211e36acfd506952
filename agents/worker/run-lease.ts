import { appendFileSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { PlatformError, type PlatformClient } from '../../lib/protocol/client.js';
import { retry } from '../../lib/retry.js';
import type { CompleteRequest, Lease, RunIsolation } from '../../common/protocol/index.js';
import { Heartbeat } from './heartbeat.js';
import { LogShipper } from './log-shipper.js';
import { collectResults, uploadResults } from './results-upload.js';
import { recordProcessGroup } from './run-process-groups.js';
import { stopChild, type ChildExit, type PreparedEnvironment, type Runtime, type RunningChild } from './runtimes/runtime.js';
import { removeRunFolder, type RunStager, type StagedRun } from './staging.js';

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

class Abandoned extends Error {}

/** A network failure or a 5xx: worth retrying, and no verdict on the run. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof PlatformError)) return false;
  return error.status === 0 || error.status >= 500;
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

/** The platform refused the request itself (4xx): sending it again changes nothing. */
function isClientError(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

const UPLOAD_RETRY = { baseMs: 100, maxMs: 2_000, maxAttempts: 9 };
const COMPLETE_RETRY = { baseMs: 100, maxMs: 2_000, maxAttempts: 21 };

function reopen(staged: StagedRun, path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(join(staged.results, path))) as ReadableStream<Uint8Array>;
}

interface StopReason {
  kind: 'cancel' | 'timeout' | 'lost' | 'hand-back';
  message: string;
}

export interface LeaseExecution {
  done: Promise<LeaseOutcome>;
  /** Drain: stop the run now and leave it to the queue (the lease lapses; another worker retries). */
  handBack(): void;
}

export function runLease(options: RunLeaseOptions): LeaseExecution {
  const { client, lease, runtime } = options;
  const leaseId = lease.leaseId;
  const token = lease.fencingToken;
  const timings: AttemptTimings = { runId: lease.runId, fencingToken: token, leasedAt: performance.timeOrigin + performance.now(), spawnedAt: null, exitedAt: null, outcome: 'abandoned', state: null };
  let child: RunningChild | null = null;
  let stopReason = null as StopReason | null;
  let stopping: Promise<ChildExit> | null = null;

  const stop = (kind: StopReason['kind'], message: string) => {
    // A lost lease outranks a cancel or a timeout: nothing may be written for it any more.
    if (stopReason && !(kind === 'lost' || kind === 'hand-back')) return;
    stopReason = { kind, message };
    if (child && !stopping) stopping = stopChild(child, kind === 'lost' ? 0 : options.killGraceMs);
  };

  const shipper = new LogShipper({
    send: (batch) => client.uploadLogs(leaseId, batch),
    fencingToken: token,
    onStale: () => stop('lost', 'the platform refused a log batch: the lease is stale'),
  });
  const heartbeat = new Heartbeat({
    send: (body) => client.heartbeat(leaseId, body),
    fencingToken: token,
    heartbeatMs: lease.heartbeatMs,
    expiresAt: lease.expiresAt,
    onCancel: () => stop('cancel', 'cancelled by user'),
    onLost: (reason) => stop('lost', reason),
  });
  const checkLease = () => {
    if (stopReason?.kind === 'lost' || stopReason?.kind === 'hand-back') throw new Abandoned(stopReason.message);
  };

  let stagedRoot: string | null = null;
  let isolation: RunIsolation | null = null;

  async function execute(): Promise<CompleteRequest> {
    let environment: PreparedEnvironment | null = null;
    try {
      const staged = await options.stager.stage(lease);
      stagedRoot = staged.root;
      checkLease();
      environment = await runtime.prepareEnvironment(lease.run.environment, (line) => shipper.note(line));
      checkLease();
      if (stopReason?.kind === 'cancel') return { fencingToken: token, state: 'cancelled', exitCode: null, error: stopReason.message };
      // The protocol has no field for how a run was executed, so its log says it.
      shipper.note(`attempt ${lease.run.attempt} on ${options.workerId}: ${runtime.description}, environment ${environment.hash.slice(0, 12)}${environment.image ? ` (${environment.image})` : ' (host programs; the spec is recorded, not installed)'}`);
      const env: Record<string, string> = { BENCHTOP_RUN_ID: lease.runId, BENCHTOP_ATTEMPT: String(lease.run.attempt), PARAMETERS: JSON.stringify(lease.run.parameters) };
      for (const [name, value] of Object.entries(lease.run.parameters)) env[`PARAM_${name}`] = String(value);
      const running = await runtime.start({
        runId: lease.runId,
        command: lease.run.command,
        env,
        mounts: staged,
        network: lease.run.network,
        resources: lease.run.resources,
        environment,
      });
      child = running;
      timings.spawnedAt = running.startedAt;
      if (running.processGroup !== undefined) recordProcessGroup(staged.root, running.processGroup);
      isolation = running.isolation;
      heartbeat.markStarted(running.isolation);
      shipper.note(`isolation: ${running.isolation.summary}`);
      if (stopReason) stopping = stopChild(running, stopReason.kind === 'lost' ? 0 : options.killGraceMs);
      const timeout = setTimeout(() => stop('timeout', `timed out after ${lease.run.resources.timeoutSeconds} s`), lease.run.resources.timeoutSeconds * 1000);
      const outputs = Promise.all([shipper.attach(running.stdout, 'stdout'), shipper.attach(running.stderr, 'stderr')]);
      const exit = await running.exit;
      clearTimeout(timeout);
      timings.exitedAt = performance.timeOrigin + performance.now();
      await outputs;
      checkLease();
      const base = { fencingToken: token, exitCode: exit.exitCode, isolation: running.isolation, ...(environment.digest ? { imageDigest: environment.digest } : {}) };
      const results = await uploadRunResults(staged);
      checkLease();
      const reason = stopReason;
      if (reason?.kind === 'cancel') return { ...base, state: 'cancelled', results, error: reason.message };
      if (reason?.kind === 'timeout') return { ...base, state: 'failed', results, error: reason.message };
      if (exit.exitCode === 0) return { ...base, state: 'succeeded', results };
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
      return { ...base, state: 'failed', results, error: `the command ${how}` };
    } catch (error) {
      if (error instanceof Abandoned) throw error;
      checkLease();
      // The platform being unreachable is not the run's fault: leave it to lapse and be retried.
      if (isTransient(error)) throw new Abandoned(`the platform could not be reached: ${(error as Error).message}`);
      const message = error instanceof Error ? error.message : String(error);
      shipper.note(message);
      return { fencingToken: token, state: 'failed', exitCode: null, error: message, ...(isolation ? { isolation } : {}) };
    }
  }

  async function uploadRunResults(staged: StagedRun) {
    const files = await collectResults(staged.results, (path) => shipper.note(`result ${path} is not a regular file; not uploaded`));
    return uploadResults(files, (file, body) =>
      retry(
        async (attempt) => {
          checkLease();
          try {
            // The body is a stream, read once: a retry needs a fresh one, so retries re-open the file.
            return await client.uploadResult(leaseId, file.path, { fencingToken: token, sha256: file.sha256, body: attempt === 0 ? body : reopen(staged, file.path) });
          } catch (error) {
            if (statusOf(error) === 409) throw new Abandoned(`the platform refused result ${file.path} (409): the lease is stale`);
            throw error;
          }
        },
        { ...UPLOAD_RETRY, retryable: isTransient },
      ),
    );
  }

  async function complete(body: CompleteRequest): Promise<void> {
    // Completing twice with the same body is safe, so a network failure is simply retried
    // until the lease would have expired anyway.
    await retry(
      async () => {
        checkLease();
        try {
          await client.complete(leaseId, body);
        } catch (error) {
          const status = statusOf(error);
          if (status === 409 || status === 404) throw new Abandoned(`the platform refused completion (${status}): the lease is stale`);
          throw error;
        }
      },
      { ...COMPLETE_RETRY, retryable: (error) => !(error instanceof Abandoned) && !isClientError(error) },
    );
  }

  const done = (async (): Promise<LeaseOutcome> => {
    try {
      const body = await execute();
      await shipper.close();
      checkLease();
      await complete(body);
      timings.state = body.state;
      timings.outcome = 'completed';
    } catch (error) {
      shipper.abort();
      timings.outcome = stopReason?.kind === 'hand-back' ? 'handed-back' : 'abandoned';
      options.log(`run ${lease.runId} (lease ${leaseId}) ${timings.outcome}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      heartbeat.stop();
      if (stopping) await stopping;
    }
    try {
      appendFileSync(join(options.workDir, TIMINGS_FILE), `${JSON.stringify(timings)}\n`);
    } catch (error) {
      options.log(`could not write ${TIMINGS_FILE}: ${(error as Error).message}`);
    }
    // The folder is deleted while the worker already polls for its next run: a queued run should
    // not wait for it. A worker that dies first leaves it to the next start's sweep.
    const root = stagedRoot;
    if (root) void removeRunFolder(root).catch((e: Error) => options.log(`could not remove ${root}: ${e.message}`));
    return timings.outcome;
  })();

  return {
    done,
    handBack: () => stop('hand-back', 'the worker is shutting down; the run goes back to the queue'),
  };
}
