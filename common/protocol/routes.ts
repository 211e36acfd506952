import { z } from 'zod';
import { id, idParams, pageQuery, type Role } from './common.js';
import { healthResponse, queueParams, queueStatus, queuesResponse, scalingRequest } from './health.js';
import { createdToken, createTokenRequest, createUserRequest, meResponse, peopleList, revokedToken, revokedTokens, setRoleRequest, tokenList, user, userList } from './users.js';
import { auditList, auditQuery, notificationsQuery } from './audit.js';
import { sharingRequest } from './sharing.js';
import { reproSettingsRequest, reproStatus } from './capsules.js';
import { capsule, capsuleFileParams, capsuleList, commitList, createCapsuleRequest, createCommitRequest, createCommitResponse, refQuery, treeResponse } from './capsules.js';
import { blobParams, blobResponse, completeUploadRequest, startUploadRequest, startUploadResponse, createDatasetRequest, createVersionRequest, dataset, datasetList, datasetVersion, datasetVersionList, versionFileParams, versionParams } from './datasets.js';
import { createRunRequest, IDEMPOTENCY_KEY_HEADER, run, runList, runListQuery, runParams } from './runs.js';
import { logBatchRequest, logBatchResponse, logsPage, logsQuery, logStreamQuery } from './logs.js';
import { comparison, resultFileParams, resultsManifest, resultUploadHeaders, resultUploadParams, resultUploadResponse } from './results.js';
import { completeRequest, completeResponse, heartbeatRequest, heartbeatResponse, lease, leaseParams, leaseRequest, releaseRequest, releaseResponse } from './leases.js';
import { budgetSettingsRequest, budgetState, costRollup, costRollupQuery, localRate, localRateRequest } from './cost.js';
import { backupList, backupParams, databaseBackup, drillList, restoreDrill, restoreResult } from './backups.js';
import { runTerminalTarget } from './terminals.js';

// The platform API v1, one declaration per route. The services agent registers and validates its
// routes from these (agents/services/register-route.ts) and the client builds its URLs and parses
// its answers from them (lib/protocol/client.ts), so the two cannot name a route differently.

/** Who may call a route: nobody needs a token ('public'), any valid token ('any'), or these roles. */
export type Access = 'public' | 'any' | readonly Role[];

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A body that is not JSON: bytes of this content type, streamed rather than parsed. */
export interface RawContent {
  readonly raw: 'bytes' | 'tar' | 'event-stream' | 'text';
  readonly contentType: string;
}

export const FILE_BYTES = { raw: 'bytes', contentType: 'application/octet-stream' } as const satisfies RawContent;
export const TAR_ARCHIVE = { raw: 'tar', contentType: 'application/x-tar' } as const satisfies RawContent;
/** Server-Sent Events; the events are described in logs.ts. */
export const EVENT_STREAM = { raw: 'event-stream', contentType: 'text/event-stream; charset=utf-8' } as const satisfies RawContent;
export const PROMETHEUS_TEXT = { raw: 'text', contentType: 'text/plain; version=0.0.4' } as const satisfies RawContent;

export interface RouteSpec {
  readonly method: Method;
  /** `:name` stands for one path segment; a final `*` for the rest of the path (a relative file path). */
  readonly path: string;
  readonly access: Access;
  /** One key per `:name` of the path, and `*` for the wildcard. */
  readonly params?: z.ZodType;
  /** Absent: the route reads no query (one sent is ignored). */
  readonly query?: z.ZodType;
  /** The request headers the route reads, by lowercase name. */
  readonly headers?: z.ZodType;
  /** A JSON body, or raw bytes; absent: the route reads no body (one sent is ignored). */
  readonly body?: z.ZodType | RawContent;
  readonly answer: z.ZodType | RawContent;
  /** Success statuses, the usual one first; absent: 200. A 204 has no body. */
  readonly status?: readonly [number, ...number[]];
}

/** Keeps the literal types of a declaration (its path, its schemas) while checking its shape. */
function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

export function isRawContent(value: z.ZodType | RawContent): value is RawContent {
  return 'raw' in value && 'contentType' in value;
}

/** The statuses a route answers on success. */
export function successStatuses(spec: RouteSpec): readonly [number, ...number[]] {
  return spec.status ?? [200];
}

/** A header sent at most once, of 1 to `maxLength` characters; a repeated header arrives as a list. */
function singleHeader(maxLength: number) {
  const error = `must be one value of 1 to ${maxLength} characters`;
  return z.string({ error }).min(1, { error }).max(maxLength, { error }).optional();
}

/** Resumes a log stream after the line with this seq (what EventSource sends on reconnecting). */
export const LAST_EVENT_ID_HEADER = 'last-event-id';

const createRunHeaders = z.object({ [IDEMPOTENCY_KEY_HEADER]: singleHeader(200) });
const logStreamHeaders = z.object({
  [LAST_EVENT_ID_HEADER]: singleHeader(20).pipe(z.string().regex(/^\d{1,15}$/, 'must be the seq (a number) of the last line received').transform(Number).optional()),
});
// A token without a label may be asked for with no body at all.
const createTokenBody = z.preprocess((body) => body ?? {}, createTokenRequest);
const compareRunsParams = z.strictObject({ a: id, b: id });
const runFileParams = resultFileParams.extend({ id });
const leaseResultParams = resultUploadParams.extend({ id });

const ADMIN = ['admin'] as const;
// Which capsules, datasets and runs each person may see or change is decided per object
// (agents/services/access-policy.ts); these lists only say which roles may call at all.
const PEOPLE = ['admin', 'pi', 'researcher'] as const;
const READERS = ['admin', 'pi', 'researcher', 'worker'] as const;
const OVERSEERS = ['admin', 'pi'] as const;
const WORKER = ['worker'] as const;

export const ROUTES = {
  // --- health, queues, users ---
  health: route({ method: 'GET', path: '/api/v1/health', access: 'public', answer: healthResponse }),
  queues: route({ method: 'GET', path: '/api/v1/queues', access: 'any', answer: queuesResponse }),
  setScaling: route({ method: 'POST', path: '/api/v1/queues/:queue/scaling', access: ADMIN, params: queueParams, body: scalingRequest, answer: queueStatus }),
  me: route({ method: 'GET', path: '/api/v1/me', access: 'any', answer: meResponse }),
  listUsers: route({ method: 'GET', path: '/api/v1/users', access: ADMIN, query: pageQuery, answer: userList }),
  createUser: route({ method: 'POST', path: '/api/v1/users', access: ADMIN, body: createUserRequest, answer: user, status: [201] }),
  listTokens: route({ method: 'GET', path: '/api/v1/users/:id/tokens', access: ADMIN, params: idParams, answer: tokenList }),
  createToken: route({ method: 'POST', path: '/api/v1/users/:id/tokens', access: ADMIN, params: idParams, body: createTokenBody, answer: createdToken, status: [201] }),
  revokeToken: route({ method: 'DELETE', path: '/api/v1/tokens/:id', access: ADMIN, params: idParams, answer: revokedToken }),
  setUserRole: route({ method: 'PUT', path: '/api/v1/users/:id/role', access: ADMIN, params: idParams, body: setRoleRequest, answer: user }),
  revokeUserTokens: route({ method: 'DELETE', path: '/api/v1/users/:id/tokens', access: ADMIN, params: idParams, answer: revokedTokens }),
  listPeople: route({ method: 'GET', path: '/api/v1/people', access: PEOPLE, answer: peopleList }),
  audit: route({ method: 'GET', path: '/api/v1/audit', access: OVERSEERS, query: auditQuery, answer: auditList }),
  myNotifications: route({ method: 'GET', path: '/api/v1/me/notifications', access: PEOPLE, query: notificationsQuery, answer: auditList }),
  metrics: route({ method: 'GET', path: '/metrics', access: 'any', answer: PROMETHEUS_TEXT }),

  // --- capsules ---
  listCapsules: route({ method: 'GET', path: '/api/v1/capsules', access: READERS, query: pageQuery, answer: capsuleList }),
  createCapsule: route({ method: 'POST', path: '/api/v1/capsules', access: PEOPLE, body: createCapsuleRequest, answer: capsule, status: [201] }),
  getCapsule: route({ method: 'GET', path: '/api/v1/capsules/:id', access: READERS, params: idParams, answer: capsule }),
  createCommit: route({ method: 'POST', path: '/api/v1/capsules/:id/commits', access: PEOPLE, params: idParams, body: createCommitRequest, answer: createCommitResponse, status: [201] }),
  listCommits: route({ method: 'GET', path: '/api/v1/capsules/:id/commits', access: READERS, params: idParams, query: pageQuery, answer: commitList }),
  capsuleTree: route({ method: 'GET', path: '/api/v1/capsules/:id/tree', access: READERS, params: idParams, query: refQuery, answer: treeResponse }),
  capsuleFile: route({ method: 'GET', path: '/api/v1/capsules/:id/files/*', access: READERS, params: capsuleFileParams, query: refQuery, answer: FILE_BYTES }),
  capsuleReproducibility: route({ method: 'GET', path: '/api/v1/capsules/:id/reproducibility', access: READERS, params: idParams, answer: reproStatus }),
  setCapsuleReproducibility: route({ method: 'PUT', path: '/api/v1/capsules/:id/reproducibility', access: PEOPLE, params: idParams, body: reproSettingsRequest, answer: reproStatus }),
  capsuleSharing: route({ method: 'PUT', path: '/api/v1/capsules/:id/sharing', access: PEOPLE, params: idParams, body: sharingRequest, answer: capsule }),
  capsuleArchive: route({ method: 'GET', path: '/api/v1/capsules/:id/archive', access: READERS, params: idParams, query: refQuery, answer: TAR_ARCHIVE }),

  // --- datasets ---
  listDatasets: route({ method: 'GET', path: '/api/v1/datasets', access: READERS, query: pageQuery, answer: datasetList }),
  createDataset: route({ method: 'POST', path: '/api/v1/datasets', access: PEOPLE, body: createDatasetRequest, answer: dataset, status: [201] }),
  getDataset: route({ method: 'GET', path: '/api/v1/datasets/:id', access: READERS, params: idParams, answer: dataset }),
  uploadBlob: route({ method: 'PUT', path: '/api/v1/datasets/:id/blobs/:sha256', access: PEOPLE, params: blobParams, body: FILE_BYTES, answer: blobResponse, status: [201] }),
  // The same files posted again answer the version they made: 200 instead of 201.
  createVersion: route({ method: 'POST', path: '/api/v1/datasets/:id/versions', access: PEOPLE, params: idParams, body: createVersionRequest, answer: datasetVersion, status: [201, 200] }),
  listVersions: route({ method: 'GET', path: '/api/v1/datasets/:id/versions', access: READERS, params: idParams, query: pageQuery, answer: datasetVersionList }),
  getVersion: route({ method: 'GET', path: '/api/v1/datasets/:id/versions/:version', access: READERS, params: versionParams, answer: datasetVersion }),
  startUpload: route({ method: 'POST', path: '/api/v1/datasets/:id/uploads', access: PEOPLE, params: idParams, body: startUploadRequest, answer: startUploadResponse }),
  completeUpload: route({ method: 'POST', path: '/api/v1/datasets/:id/uploads/complete', access: PEOPLE, params: idParams, body: completeUploadRequest, answer: blobResponse, status: [201] }),
  datasetSharing: route({ method: 'PUT', path: '/api/v1/datasets/:id/sharing', access: PEOPLE, params: idParams, body: sharingRequest, answer: dataset }),
  datasetFile: route({ method: 'GET', path: '/api/v1/datasets/:id/versions/:version/files/*', access: READERS, params: versionFileParams, answer: FILE_BYTES }),

  // --- runs ---
  // A replayed Idempotency-Key answers 200 with the run the key made.
  createRun: route({ method: 'POST', path: '/api/v1/runs', access: PEOPLE, headers: createRunHeaders, body: createRunRequest, answer: run, status: [201, 200] }),
  listRuns: route({ method: 'GET', path: '/api/v1/runs', access: PEOPLE, query: runListQuery, answer: runList }),
  getRun: route({ method: 'GET', path: '/api/v1/runs/:id', access: PEOPLE, params: runParams, answer: run }),
  cancelRun: route({ method: 'POST', path: '/api/v1/runs/:id/cancel', access: PEOPLE, params: runParams, answer: run }),
  rerun: route({ method: 'POST', path: '/api/v1/runs/:id/rerun', access: PEOPLE, params: runParams, answer: run, status: [201] }),
  runLogs: route({ method: 'GET', path: '/api/v1/runs/:id/logs', access: PEOPLE, params: runParams, query: logsQuery, answer: logsPage }),
  streamLogs: route({ method: 'GET', path: '/api/v1/runs/:id/logs/stream', access: PEOPLE, params: runParams, query: logStreamQuery, headers: logStreamHeaders, answer: EVENT_STREAM }),
  runResults: route({ method: 'GET', path: '/api/v1/runs/:id/results', access: PEOPLE, params: runParams, answer: resultsManifest }),
  resultFile: route({ method: 'GET', path: '/api/v1/runs/:id/results/*', access: PEOPLE, params: runFileParams, answer: FILE_BYTES }),
  runDownstream: route({ method: 'GET', path: '/api/v1/runs/:id/downstream', access: PEOPLE, params: runParams, answer: runList }),
  compareRuns: route({ method: 'GET', path: '/api/v1/runs/:a/compare/:b', access: PEOPLE, params: compareRunsParams, answer: comparison }),
  openRunTerminal: route({ method: 'POST', path: '/api/v1/runs/:id/terminal', access: PEOPLE, params: runParams, answer: runTerminalTarget }),

  // --- cost, budget ---
  costRollup: route({ method: 'GET', path: '/api/v1/cost/rollup', access: PEOPLE, query: costRollupQuery, answer: costRollup }),
  getLocalRate: route({ method: 'GET', path: '/api/v1/cost/local-rate', access: PEOPLE, answer: localRate }),
  setLocalRate: route({ method: 'PUT', path: '/api/v1/cost/local-rate', access: ADMIN, body: localRateRequest, answer: localRate }),
  getBudget: route({ method: 'GET', path: '/api/v1/budget', access: PEOPLE, answer: budgetState }),
  setBudget: route({ method: 'PUT', path: '/api/v1/budget', access: ADMIN, body: budgetSettingsRequest, answer: budgetState }),
  checkBudget: route({ method: 'POST', path: '/api/v1/budget/check', access: ADMIN, answer: budgetState }),
  resumeBudget: route({ method: 'POST', path: '/api/v1/budget/resume', access: ADMIN, answer: budgetState }),

  // --- the agent's own database backups ---
  listBackups: route({ method: 'GET', path: '/api/v1/backups', access: ADMIN, answer: backupList }),
  createBackup: route({ method: 'POST', path: '/api/v1/backups', access: ADMIN, answer: databaseBackup, status: [201] }),
  restoreBackup: route({ method: 'POST', path: '/api/v1/backups/:name/restore', access: ADMIN, params: backupParams, answer: restoreResult }),
  listDrills: route({ method: 'GET', path: '/api/v1/backup-drills', access: ADMIN, answer: drillList }),
  runDrill: route({ method: 'POST', path: '/api/v1/backup-drills', access: ADMIN, answer: restoreDrill, status: [201] }),

  // --- worker protocol ---
  // A long-poll that found no run within waitMs answers 204.
  lease: route({ method: 'POST', path: '/api/v1/leases', access: WORKER, body: leaseRequest, answer: lease, status: [200, 204] }),
  heartbeat: route({ method: 'POST', path: '/api/v1/leases/:id/heartbeat', access: WORKER, params: leaseParams, body: heartbeatRequest, answer: heartbeatResponse }),
  uploadLogs: route({ method: 'POST', path: '/api/v1/leases/:id/logs', access: WORKER, params: leaseParams, body: logBatchRequest, answer: logBatchResponse }),
  uploadResult: route({ method: 'PUT', path: '/api/v1/leases/:id/results/*', access: WORKER, params: leaseResultParams, headers: resultUploadHeaders, body: FILE_BYTES, answer: resultUploadResponse, status: [201] }),
  complete: route({ method: 'POST', path: '/api/v1/leases/:id/complete', access: WORKER, params: leaseParams, body: completeRequest, answer: completeResponse }),
  release: route({ method: 'POST', path: '/api/v1/leases/:id/release', access: WORKER, params: leaseParams, body: releaseRequest, answer: releaseResponse }),
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** Values a query string may carry (the server's schemas coerce them back). */
export type QueryValue = string | number | boolean | undefined;

type SchemaOf<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? S : undefined;

/** What `pathFor` takes for a route's path parameters: its params schema's input, or nothing. */
export type PathParams<R extends RouteSpec> = SchemaOf<R, 'params'> extends z.ZodType ? z.input<SchemaOf<R, 'params'>> : Record<string, never>;

/** What `pathFor` takes for a route's query: its query schema's keys, a coerced value as a number or string. */
export type QueryParams<R extends RouteSpec> =
  SchemaOf<R, 'query'> extends z.ZodType
    ? { [K in keyof z.input<SchemaOf<R, 'query'>>]?: unknown extends z.input<SchemaOf<R, 'query'>>[K] ? QueryValue : z.input<SchemaOf<R, 'query'>>[K] }
    : Record<string, never>;

/** Encodes a relative path segment by segment, keeping its slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The URL path (and query) of a call: each `:name` replaced by its encoded value, `*` by the encoded file path. */
export function pathFor<R extends RouteSpec>(spec: R, params: PathParams<R>, query?: QueryParams<R>): string {
  const values = params as Record<string, unknown>;
  const value = (name: string): string => {
    const v = values[name];
    if (v === undefined || v === null) throw new TypeError(`${spec.method} ${spec.path} needs the path parameter "${name}"`);
    return String(v);
  };
  const path = spec.path
    .split('/')
    .map((segment) => {
      if (segment === '*') return encodePath(value('*'));
      if (segment.startsWith(':')) return encodeURIComponent(value(segment.slice(1)));
      return segment;
    })
    .join('/');
  const search = Object.entries((query ?? {}) as Record<string, QueryValue>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(String(v))}`)
    .join('&');
  return search ? `${path}?${search}` : path;
}

// As URLSearchParams writes a query (application/x-www-form-urlencoded), which this layer cannot
// use: it has neither DOM nor Node types.
function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
