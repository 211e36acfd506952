import { z } from 'zod';
import { commitSha, gitRef, id, page, queueName, relativePath, sha256Hex, timestamp } from './common.js';
import { command, environmentSpec } from './capsules.js';
import { resultsManifest } from './results.js';

/** The states a run ends in: from then on it is an immutable record. The one list of them. */
export const finishedState = z.enum(['succeeded', 'failed', 'cancelled']);
export type FinishedState = z.infer<typeof finishedState>;
/** Run states: queued → leased → running → succeeded | failed | cancelled. */
export const runState = z.enum(['queued', 'leased', 'running', ...finishedState.options]);
export type RunState = z.infer<typeof runState>;
export const FINISHED_STATES: readonly RunState[] = finishedState.options;

export function isFinished(state: RunState): state is FinishedState {
  return (FINISHED_STATES as readonly string[]).includes(state);
}

/** Parameters by name, handed to the command by the worker. */
export const parameters = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'parameter names are letters, digits and "_"'),
  z.union([z.string().max(4096), z.number().finite(), z.boolean()]),
);
export type Parameters = z.infer<typeof parameters>;

/** What a run asks for; omitted values get defaults (1 CPU, 2048 MB, 0 GPUs on cpu / 1 on gpu, 3600 s). */
export const resourcesRequest = z.strictObject({
  cpus: z.number().min(0.1).max(256).optional(),
  memoryMb: z.number().int().min(64).max(4_194_304).optional(),
  gpus: z.number().int().min(0).max(16).optional(),
  timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
});

/** Resources as recorded on the run (every value resolved). */
export const resources = z.object({
  cpus: z.number(),
  memoryMb: z.number().int(),
  gpus: z.number().int(),
  timeoutSeconds: z.number().int(),
});
export type Resources = z.infer<typeof resources>;

/** A dataset as a run asks for it: the latest version unless `version` pins one; mounted at /data/<mount>. */
export const datasetRequest = z.strictObject({
  datasetId: id,
  version: sha256Hex.optional(),
  mount: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional(),
});

/** A dataset as recorded on the run: the exact version, mounted at /data/<mount> (default: dataset name). */
export const datasetPin = z.object({ datasetId: id, version: sha256Hex, mount: z.string() });
export type DatasetPin = z.infer<typeof datasetPin>;

/**
 * Another run's results as an input (a pipeline step): all of them, or the file or folder at
 * `path`, mounted read-only at /data/<mount> (default: the upstream run's id). The upstream run must
 * have succeeded and be readable by the caller.
 */
export const runInputRequest = z.strictObject({
  runId: id,
  path: relativePath.optional(),
  mount: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional(),
});

/**
 * An input as the run record pins it: the exact upstream run and the sha256 of its results manifest
 * (canonical, as dataset versions), and the dataset version holding those files for the worker.
 */
export const runInputPin = z.object({
  runId: id,
  path: z.string().nullable(),
  mount: z.string(),
  manifestHash: sha256Hex,
  datasetId: id,
  version: sha256Hex,
});
export type RunInputPin = z.infer<typeof runInputPin>;

/**
 * POST /api/v1/runs (admin, researcher) → 201 with the new run. Header `Idempotency-Key` (optional,
 * ≤ 200 chars, per user, kept 24 hours): same key + same body → 200 with the run the key made and
 * `Idempotent-Replayed: true` (nothing new is created); same key + other body → 409; after 24 hours
 * the key is forgotten and makes a new run.
 */
export const createRunRequest = z.strictObject({
  capsuleId: id,
  ref: gitRef.optional(),
  command: command.optional(),
  parameters: parameters.default({}),
  /**
   * Parameters the command gets like the others but that are never listed back (a run record shows
   * only their names, in `secretParameters`); a re-run passes them again. A name may not be in both.
   */
  secrets: parameters.default({}),
  datasets: z.array(datasetRequest).max(50).default([]),
  /** Results of earlier runs this one reads (see runInputRequest). */
  inputs: z.array(runInputRequest).max(20).default([]),
  queue: queueName.default('cpu'),
  resources: resourcesRequest.default({}),
  /** Network access for the run; omitted: what the capsule's environment asks (`network`), else none. */
  network: z.boolean().optional(),
  /** Run even where the worker can honour only part of the environment (apt packages without a container); default: refuse. */
  partialEnvironment: z.boolean().default(false),
});
export type CreateRunRequest = z.input<typeof createRunRequest>;
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** A limit the operating system enforced on the run. */
export const runLimit = z.object({
  resource: z.enum(['memory', 'cpu-time', 'processes', 'cpus']),
  value: z.number(),
  /** MB (per process unless `via` says otherwise), CPU-seconds per process, processes, CPUs. */
  unit: z.string().max(20),
  /** The mechanism, e.g. "ulimit -d (RLIMIT_DATA)", "docker --memory". */
  via: z.string().max(200),
});
export type RunLimit = z.infer<typeof runLimit>;

/** How a worker confined an attempt of a run, as it reported it when the command started. */
export const runIsolation = z.object({
  /** `none`: the run had every right the worker's user has (no sandbox on that machine). */
  kind: z.enum(['container', 'bubblewrap', 'sandbox-exec', 'none']),
  /** Whether the run could reach the network (a run that asked for none may still have it under `none`). */
  network: z.boolean(),
  /** One plain sentence for people. */
  summary: z.string().max(1000),
  limits: z.array(runLimit).max(10),
  /** What could not be limited there, and why. */
  unlimited: z.array(z.string().max(300)).max(10),
});
export type RunIsolation = z.infer<typeof runIsolation>;

/** What a package manager resolved a package to: the exact version a run had. */
export const lockedPackage = z.object({
  manager: z.enum(['pip', 'conda']),
  name: z.string().min(1).max(200),
  version: z.string().min(1).max(100),
});
export type LockedPackage = z.infer<typeof lockedPackage>;

/**
 * How much of its capsule's environment a run had: `container` (the image built from the spec),
 * `native-complete` (every pip and conda package, in a virtual environment), `native-partial`
 * (some of the spec could not be honoured without a container, listed in `skipped`), `host`
 * (the machine's own programs; the spec was recorded, not installed).
 */
export const environmentFidelity = z.enum(['container', 'native-complete', 'native-partial', 'host']);
export type EnvironmentFidelity = z.infer<typeof environmentFidelity>;

/** The environment a run executed in, as its worker resolved it: what a re-run installs again. */
export const resolvedEnvironment = z.object({
  fidelity: environmentFidelity,
  /** The image a container ran (repository@sha256:… when pushed, else the local tag and its id). */
  image: z.string().max(300).optional(),
  /** The interpreter a native environment ran, e.g. "CPython 3.11.7". */
  interpreter: z.string().max(200).optional(),
  /** The lock list: every package installed, with its exact version (native environments). */
  packages: z.array(lockedPackage).max(5000).default([]),
  /** What the spec asked for that the run did not get, e.g. "apt: libgdal-dev". */
  skipped: z.array(z.string().max(300)).max(1000).default([]),
  /** One sentence for people. */
  summary: z.string().max(1000),
});
export type ResolvedEnvironment = z.infer<typeof resolvedEnvironment>;

/** A run record; immutable once finished. */
export const run = z.object({
  id,
  capsuleId: id,
  commit: commitSha,
  environment: environmentSpec,
  /** sha256 of the canonical environment spec: one image per hash. */
  environmentHash: sha256Hex,
  /** Image digest the worker ran (docker runtime); null for the process runtime or before start. */
  imageDigest: z.string().nullable(),
  /** What the run executes in (image, or interpreter and lock list), from its worker's start; null before. */
  resolvedEnvironment: resolvedEnvironment.nullable(),
  /** Whether the run may go on with a partial environment (apt packages a native environment cannot install). */
  partialEnvironment: z.boolean(),
  datasets: z.array(datasetPin),
  command,
  parameters,
  resources,
  queue: queueName,
  /** Whether the run asked for network access (its request, else its capsule's environment). */
  network: z.boolean(),
  /** How its latest attempt was confined; null before a worker started it. */
  isolation: runIsolation.nullable(),
  state: runState,
  /** Why a queued run has not started, in plain words; null otherwise. */
  waitingReason: z.string().nullable(),
  /** Set when a cancel was asked of a leased/running run; the worker learns it at its next heartbeat. */
  cancelRequested: z.boolean(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  workerId: z.string().nullable(),
  workerInstanceType: z.string().nullable(),
  createdAt: timestamp,
  leasedAt: timestamp.nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  exitCode: z.number().int().nullable(),
  /** Why the run failed or was cancelled ("worker lost", "cancelled by user", the worker's message). */
  error: z.string().nullable(),
  results: resultsManifest.nullable(),
  /** Worker hours × its hourly price × the run's share of the worker; null when unpriced. */
  costUsd: z.number().nullable(),
  /** Where the price came from (Price List, the shipped table and its date, a local rate); null when unpriced. */
  costSource: z.string().nullable().default(null),
  /** The run this one repeats (rerun), null otherwise. */
  rerunOf: id.nullable(),
  /** Who launched it. */
  userId: id,
  /** Names of the parameters given as secrets; their values are never answered. */
  secretParameters: z.array(z.string()).default([]),
  /** Who asked for the cancel, null when nobody did. */
  cancelledBy: id.nullable().default(null),
  /** Upstream runs whose results this run read, pinned (a re-run reads the very same files). */
  inputs: z.array(runInputPin).default([]),
});
export type Run = z.infer<typeof run>;

/** GET /api/v1/runs?state=&queue=&capsuleId=&limit=&cursor= — newest first. */
export const runListQuery = z.strictObject({
  state: runState.optional(),
  queue: queueName.optional(),
  capsuleId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export const runList = page(run);

/** POST /api/v1/runs/:id/cancel answers the run (cancelled at once if queued, else cancelRequested). POST /api/v1/runs/:id/rerun answers 201 with the new run. */
export const runParams = z.strictObject({ id });
