import { z } from 'zod';
import { commitSha, id, queueName, sha256Hex, timestamp } from './common.js';
import { command, environmentSpec } from './capsules.js';
import { datasetPin, finishedState, parameters, resolvedEnvironment, resources, run, runIsolation } from './runs.js';
import { resultsManifest } from './results.js';
import { purchaseOption, workerSlotsReport } from './cost.js';

/**
 * A GPU worker's GPUs as its boot found them (nvidia-smi, written to /etc/benchtop/gpus.json):
 * `count` GPUs, one `gpus` entry each.
 */
export const workerGpus = z
  .object({
    count: z.number().int().min(1).max(64),
    driverVersion: z.string().min(1).max(100),
    gpus: z.array(z.object({ model: z.string().min(1).max(200), memoryMiB: z.number().int().min(0) })).max(64),
  })
  .refine((inventory) => inventory.gpus.length === inventory.count, { message: 'count must equal the number of gpus listed' });
export type WorkerGpus = z.infer<typeof workerGpus>;

/**
 * POST /api/v1/leases (worker) — long-poll for the next run of a queue. Waits up to `waitMs`
 * (bounded by the server, default 0 = answer at once); 200 with a Lease, or 204 when none.
 */
export const leaseRequest = z.strictObject({
  queue: queueName,
  /** Stable name of the worker (e.g. its instance id); shown on runs. */
  workerId: z.string().min(1).max(200),
  instanceType: z.string().max(100).optional(),
  /** What one hour of this worker costs, to record the run's cost. */
  hourlyCostUsd: z.number().min(0).max(10_000).optional(),
  /** Where `hourlyCostUsd` comes from, in words (recorded with each run's cost). */
  priceSource: z.string().min(1).max(200).optional(),
  /** How the instance is bought (the platform prices `instanceType` with it). */
  purchaseOption: purchaseOption.optional(),
  /** What the worker shares among its runs: each run pays its share of the instance. */
  slots: workerSlotsReport.optional(),
  /** A GPU worker's GPUs (optional: older workers send none); shown with the queue's workers. */
  gpus: workerGpus.optional(),
  /** The worker agent's own version, so the app can tell when workers run another than the stack (older workers send none). */
  agentVersion: z.string().min(1).max(64).optional(),
  /**
   * What a worker running other runs has left: only a queued run whose resources fit is leased.
   * Absent (an idle worker, older workers): the oldest queued run, whatever it asks.
   */
  free: z.strictObject({ cpus: z.number().min(0).max(1024), memoryMb: z.number().int().min(0).max(16_777_216), gpus: z.number().int().min(0).max(64) }).optional(),
  waitMs: z.number().int().min(0).max(60_000).default(0),
});
export type LeaseRequest = z.input<typeof leaseRequest>;

/**
 * The next lease a worker asks for as it completes one (`next` of a complete request): the lease
 * request without the long-poll, answered at once. The request is a worker's saying it has room
 * for this run, so a busy worker's `free` counts only what the completed run gives back.
 */
export const nextLeaseRequest = leaseRequest.omit({ waitMs: true });
export type NextLeaseRequest = z.input<typeof nextLeaseRequest>;

/** Everything a worker needs to run one attempt of a run. */
export const runSpec = z.object({
  runId: id,
  capsuleId: id,
  commit: commitSha,
  environment: environmentSpec,
  environmentHash: sha256Hex,
  /** Set on a rerun: the image digest the original ran; run exactly that image (docker runtime). */
  imageDigest: z.string().nullable().default(null),
  datasets: z.array(datasetPin),
  command,
  parameters,
  resources,
  queue: queueName,
  /** Give the run network access; a worker that cannot withhold it says so in `isolation`. */
  network: z.boolean().default(false),
  /** Go on when only part of the environment can be honoured (marked partial); else the run is refused. */
  partialEnvironment: z.boolean().default(false),
  /** Set on a rerun: the environment the original resolved to; install exactly its lock list. */
  environmentLock: resolvedEnvironment.nullable().default(null),
  /** 1 for the first attempt. */
  attempt: z.number().int(),
});
export type RunSpec = z.infer<typeof runSpec>;

/** A lease: the right to run `run` while heartbeats keep arriving before `expiresAt`. */
export const lease = z.object({
  leaseId: id,
  runId: id,
  /** Strictly greater than every token issued before; send it with every write. */
  fencingToken: z.number().int(),
  run: runSpec,
  /** Heartbeat at least this often. */
  heartbeatMs: z.number().int(),
  expiresAt: timestamp,
});
export type Lease = z.infer<typeof lease>;

/** POST /api/v1/leases/:id/heartbeat (worker); `started` marks the run running (its command began). */
export const heartbeatRequest = z.strictObject({
  fencingToken: z.number().int().min(1),
  started: z.boolean().default(false),
  /** With `started`: how the worker confined the run (kept on the run record). */
  isolation: runIsolation.optional(),
  /** With `started`: what the run executes in (kept on the run record until complete says otherwise). */
  environment: resolvedEnvironment.optional(),
});
export type HeartbeatRequest = z.input<typeof heartbeatRequest>;

/** Answer of a heartbeat: `cancel` = stop the run (SIGTERM, then SIGKILL) and complete as cancelled. */
export const heartbeatResponse = z.object({ cancel: z.boolean(), expiresAt: timestamp });
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

/**
 * POST /api/v1/leases/:id/complete (worker) — ends the run with its record. Every manifest entry
 * must have been uploaded with that sha256 (400 otherwise); a stale or expired lease gets 409.
 * Completing twice with the same body answers the same run (a retried request is safe).
 * With `next`, the same durable transaction also leases the worker its next run (`nextLease` of
 * the answer; null when none could be leased, the completion stands either way); a retry answers
 * the lease the first attempt handed out while it is still unstarted, never a second one.
 */
export const completeRequest = z.strictObject({
  fencingToken: z.number().int().min(1),
  state: finishedState,
  exitCode: z.number().int().nullable(),
  results: resultsManifest.default({ files: [] }),
  error: z.string().max(4000).optional(),
  /** Image digest the docker runtime ran. */
  imageDigest: z.string().max(300).optional(),
  /** The environment the run executed in (image, or interpreter and lock list). */
  environment: resolvedEnvironment.optional(),
  /** How the worker confined the run, if its started heartbeat did not say (kept on the run record). */
  isolation: runIsolation.optional(),
  /** Lease the next run in the same request (agents before this field answer 400: send it without). */
  next: nextLeaseRequest.optional(),
});
export type CompleteRequest = z.input<typeof completeRequest>;

/**
 * Answer of complete: the finished run; with `next` asked, `nextLease` is the worker's next lease or
 * null (none queued that fits, leasing paused, or the run's cost yet to be checked against a local
 * budget's hard stop: the worker then asks on its own). Absent when `next` was not asked.
 */
export const completeResponse = run.extend({ nextLease: lease.nullable().optional() });
export type CompleteResponse = z.infer<typeof completeResponse>;

/**
 * POST /api/v1/leases/:id/release (worker) — gives a lease back without a verdict: a draining
 * worker hands back a run it will not run (a lease handed on or granted as it began draining) or
 * one it stopped at the end of its grace. The run is queued again at once; a run whose command
 * never started (no `started` heartbeat) gets its attempt back. A stale lease gets 409 as a
 * heartbeat does; releasing twice with the same token answers the same release.
 */
export const releaseRequest = z.strictObject({
  fencingToken: z.number().int().min(1),
  /** Why, in words: written to the run's log. */
  reason: z.string().min(1).max(500),
});
export type ReleaseRequest = z.input<typeof releaseRequest>;

/**
 * Answer of release: the run as the release left it (queued again, or finished: cancelled when a
 * cancel was asked, failed when a started run had used its last attempt), and whether this lease
 * counted as one of the run's attempts.
 */
export const releaseResponse = z.object({ run, attemptCounted: z.boolean() });
export type ReleaseResponse = z.infer<typeof releaseResponse>;

/** Path parameter of lease routes. */
export const leaseParams = z.strictObject({ id });
