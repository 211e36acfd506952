import { z } from 'zod';
import { errorBody, type ErrorCode, type QueueName } from '../../common/protocol/common.js';
import type { CreateUserRequest } from '../../common/protocol/users.js';
import type { AuditQuery } from '../../common/protocol/audit.js';
import type { SharingRequest } from '../../common/protocol/sharing.js';
import type { CreateCapsuleRequest, CreateCommitRequest } from '../../common/protocol/capsules.js';
import type { CompleteUploadRequest, CreateVersionRequest } from '../../common/protocol/datasets.js';
import { IDEMPOTENCY_KEY_HEADER, type CreateRunRequest, type RunState } from '../../common/protocol/runs.js';
import { logLine, END_EVENT, LOG_EVENT, type LogBatchRequest, type LogLine } from '../../common/protocol/logs.js';
import { CONTENT_SHA256_HEADER, FENCING_TOKEN_HEADER } from '../../common/protocol/results.js';
import type { CompleteRequest, HeartbeatRequest, Lease, LeaseRequest, ReleaseRequest } from '../../common/protocol/leases.js';
import type { BudgetSettingsRequest, RollupDimension } from '../../common/protocol/cost.js';
import { LAST_EVENT_ID_HEADER, pathFor, ROUTES, type PathParams, type QueryParams, type RouteSpec } from '../../common/protocol/routes.js';

export { encodePath } from '../../common/protocol/routes.js';

// A small typed client of the platform API, used by the worker agent and main/platform. It only
// needs `fetch`, so it runs in Node and in a browser alike; every answer is parsed with the
// protocol's schemas, so a server that drifts from the contract fails loudly here.

/** A non-2xx answer (or an answer that does not match the contract). */
export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'bad-response' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface PlatformClientOptions {
  /** Base URL of the services agent, e.g. "http://127.0.0.1:7300" (no /api/v1). */
  url: string;
  token?: string;
  fetch?: typeof fetch;
}

/** One message of a live log stream. */
export type LogStreamEvent = { type: 'line'; line: LogLine } | { type: 'end'; state: RunState };

/** What a request may carry besides its route's path and query. */
interface RequestOptions {
  body?: RequestInit['body'];
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

type JsonRoute = RouteSpec & { readonly answer: z.ZodType };
type JsonBody<R extends RouteSpec> = R extends { readonly body: infer B extends z.ZodType } ? z.input<B> : never;
/** A call of a declared route: its query, its JSON body as the declaration takes it, or raw bytes. */
type CallOptions<R extends RouteSpec> = Omit<RequestOptions, 'json'> & { query?: QueryParams<R>; json?: JsonBody<R> };

const endPayload = z.object({ state: z.string() });

export class PlatformClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: PlatformClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends a request and returns the raw response when it is 2xx; throws PlatformError otherwise. */
  async raw(method: string, path: string, init: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let res: Response;
    try {
      const req: RequestInit & { duplex?: 'half' } = { method, headers, body, signal: init.signal };
      // A streamed body needs half duplex in Node's fetch.
      if (body && typeof (body as ReadableStream).getReader === 'function') req.duplex = 'half';
      res = await this.doFetch(`${this.base}${path}`, req);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new PlatformError(0, 'network', `cannot reach the platform at ${this.base}: ${(err as Error).message}`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let parsed: ReturnType<typeof errorBody.safeParse> | undefined;
    try {
      parsed = errorBody.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) throw new PlatformError(res.status, parsed.data.error.code, parsed.data.error.message);
    throw new PlatformError(res.status, 'bad-response', `${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  }

  /** Sends a call of a declared route: the URL is built from its declaration. */
  private send<R extends RouteSpec>(route: R, params: PathParams<R>, options: CallOptions<R> = {}): Promise<Response> {
    const { query, ...init } = options;
    return this.raw(route.method, pathFor(route, params, query), init);
  }

  /** Sends a call of a declared JSON route and parses the answer with the declaration's schema. */
  private async call<R extends JsonRoute>(route: R, params: PathParams<R>, options: CallOptions<R> = {}): Promise<z.output<R['answer']>> {
    const { query, ...init } = options;
    const path = pathFor(route, params, query);
    return this.answerOf(route, path, await this.raw(route.method, path, init));
  }

  private async answerOf<R extends JsonRoute>(route: R, path: string, res: Response): Promise<z.output<R['answer']>> {
    const parsed = route.answer.safeParse(await res.json());
    if (!parsed.success) throw new PlatformError(res.status, 'bad-response', `${route.method} ${path}: answer does not match the protocol: ${parsed.error.message}`);
    return parsed.data as z.output<R['answer']>;
  }

  private async bytes<R extends RouteSpec>(route: R, params: PathParams<R>, options: CallOptions<R> = {}): Promise<Uint8Array> {
    return new Uint8Array(await (await this.send(route, params, options)).arrayBuffer());
  }

  // --- health, queues, users ---
  health() { return this.call(ROUTES.health, {}); }
  queues() { return this.call(ROUTES.queues, {}); }
  setScaling(queue: QueueName, scalingUp: boolean) { return this.call(ROUTES.setScaling, { queue }, { json: { scalingUp } }); }
  me() { return this.call(ROUTES.me, {}); }
  listUsers(query?: { limit?: number; cursor?: string }) { return this.call(ROUTES.listUsers, {}, { query }); }
  createUser(body: CreateUserRequest) { return this.call(ROUTES.createUser, {}, { json: body }); }
  createToken(userId: string, label = '') { return this.call(ROUTES.createToken, { id: userId }, { json: { label } }); }
  listTokens(userId: string) { return this.call(ROUTES.listTokens, { id: userId }); }
  revokeToken(tokenId: string) { return this.call(ROUTES.revokeToken, { id: tokenId }); }
  setUserRole(userId: string, role: 'admin' | 'pi' | 'researcher') { return this.call(ROUTES.setUserRole, { id: userId }, { json: { role } }); }
  revokeUserTokens(userId: string) { return this.call(ROUTES.revokeUserTokens, { id: userId }); }
  listPeople() { return this.call(ROUTES.listPeople, {}); }
  notifications(after = 0) { return this.call(ROUTES.myNotifications, {}, { query: { after } }); }
  audit(query?: Omit<AuditQuery, 'limit'> & { limit?: number }) { return this.call(ROUTES.audit, {}, { query }); }
  reproducibility(id: string) { return this.call(ROUTES.capsuleReproducibility, { id }); }
  setReproducibility(id: string, body: { schedule: 'off' | 'daily' | 'weekly'; checkNow?: boolean }) { return this.call(ROUTES.setCapsuleReproducibility, { id }, { json: body }); }
  shareCapsule(id: string, body: SharingRequest) { return this.call(ROUTES.capsuleSharing, { id }, { json: body }); }
  shareDataset(id: string, body: SharingRequest) { return this.call(ROUTES.datasetSharing, { id }, { json: body }); }

  // --- capsules ---
  listCapsules(query?: { limit?: number; cursor?: string }) { return this.call(ROUTES.listCapsules, {}, { query }); }
  createCapsule(body: CreateCapsuleRequest) { return this.call(ROUTES.createCapsule, {}, { json: body }); }
  getCapsule(id: string) { return this.call(ROUTES.getCapsule, { id }); }
  commit(id: string, body: CreateCommitRequest) { return this.call(ROUTES.createCommit, { id }, { json: body }); }
  listCommits(id: string, query?: { limit?: number; cursor?: string }) { return this.call(ROUTES.listCommits, { id }, { query }); }
  tree(id: string, ref = 'HEAD') { return this.call(ROUTES.capsuleTree, { id }, { query: { ref } }); }
  readFile(id: string, path: string, ref = 'HEAD') { return this.bytes(ROUTES.capsuleFile, { id, '*': path }, { query: { ref } }); }
  /** The version as a tar archive (raw response; header x-commit names the commit). */
  archive(id: string, ref = 'HEAD') { return this.send(ROUTES.capsuleArchive, { id }, { query: { ref } }); }

  // --- datasets ---
  listDatasets(query?: { limit?: number; cursor?: string }) { return this.call(ROUTES.listDatasets, {}, { query }); }
  createDataset(body: { name: string; description?: string; visibility?: 'private' | 'lab' }) { return this.call(ROUTES.createDataset, {}, { json: body }); }
  getDataset(id: string) { return this.call(ROUTES.getDataset, { id }); }
  uploadBlob(id: string, sha256: string, body: Uint8Array | ReadableStream<Uint8Array>) {
    return this.call(ROUTES.uploadBlob, { id, sha256 }, { body: body as RequestInit['body'], headers: { 'content-type': ROUTES.uploadBlob.body.contentType } });
  }
  startUpload(id: string, body: { sha256: string; size: number }) { return this.call(ROUTES.startUpload, { id }, { json: body }); }
  completeUpload(id: string, body: CompleteUploadRequest) { return this.call(ROUTES.completeUpload, { id }, { json: body }); }
  createVersion(id: string, body: CreateVersionRequest) { return this.call(ROUTES.createVersion, { id }, { json: body }); }
  listVersions(id: string, query?: { limit?: number; cursor?: string }) { return this.call(ROUTES.listVersions, { id }, { query }); }
  getVersion(id: string, version: string) { return this.call(ROUTES.getVersion, { id, version }); }
  /** One file of a dataset version (raw response, to stream into /data). */
  datasetFile(id: string, version: string, path: string) { return this.send(ROUTES.datasetFile, { id, version, '*': path }); }

  // --- runs ---
  /** The new run (201), or with an `idempotencyKey` used in the last 24 hours the run that key made (200, nothing created). */
  createRun(body: CreateRunRequest, options: { idempotencyKey?: string } = {}) {
    const headers: Record<string, string> = options.idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey } : {};
    return this.call(ROUTES.createRun, {}, { json: body, headers });
  }
  listRuns(query?: { state?: RunState; queue?: QueueName; capsuleId?: string; limit?: number; cursor?: string }) { return this.call(ROUTES.listRuns, {}, { query }); }
  getRun(id: string) { return this.call(ROUTES.getRun, { id }); }
  cancelRun(id: string) { return this.call(ROUTES.cancelRun, { id }); }
  rerun(id: string) { return this.call(ROUTES.rerun, { id }); }
  logs(id: string, query?: { after?: number; limit?: number }) { return this.call(ROUTES.runLogs, { id }, { query }); }
  results(id: string) { return this.call(ROUTES.runResults, { id }); }
  /** One result file (raw response). */
  resultFile(id: string, path: string) { return this.send(ROUTES.resultFile, { id, '*': path }); }
  downstream(id: string) { return this.call(ROUTES.runDownstream, { id }); }
  /** Where a running run is (its worker and container), for a terminal into it; the platform records that one was opened. */
  openRunTerminal(id: string) { return this.call(ROUTES.openRunTerminal, { id }); }
  compare(a: string, b: string) { return this.call(ROUTES.compareRuns, { a, b }); }

  // --- cost, budget, the agent's own backups ---
  costRollup(query: { month: string; by?: RollupDimension }) { return this.call(ROUTES.costRollup, {}, { query }); }
  localRate() { return this.call(ROUTES.getLocalRate, {}); }
  setLocalRate(hourlyUsd: number | null) { return this.call(ROUTES.setLocalRate, {}, { json: { hourlyUsd } }); }
  budget() { return this.call(ROUTES.getBudget, {}); }
  setBudget(body: BudgetSettingsRequest) { return this.call(ROUTES.setBudget, {}, { json: body }); }
  checkBudget() { return this.call(ROUTES.checkBudget, {}); }
  resumeBudget() { return this.call(ROUTES.resumeBudget, {}); }
  listBackups() { return this.call(ROUTES.listBackups, {}); }
  createBackup() { return this.call(ROUTES.createBackup, {}); }
  restoreBackup(name: string) { return this.call(ROUTES.restoreBackup, { name }); }
  listDrills() { return this.call(ROUTES.listDrills, {}); }
  runDrill() { return this.call(ROUTES.runDrill, {}); }

  /**
   * Follows a run's log live (SSE) from line `after` + 1; ends after the `end` event. To resume
   * after a dropped connection, call again with the last seq received.
   */
  async *streamLogs(id: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<LogStreamEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.after !== undefined) headers[LAST_EVENT_ID_HEADER] = String(options.after);
    const res = await this.send(ROUTES.streamLogs, { id }, { headers, signal: options.signal });
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        // Walk the buffer with an index and cut it once per chunk: slicing per event would copy
        // the rest of a large chunk again for every line.
        let start = 0;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n', start)) >= 0) {
          const block = buffer.slice(start, cut);
          start = cut + 2;
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (event === LOG_EVENT) yield { type: 'line', line: logLine.parse(JSON.parse(data)) };
          else if (event === END_EVENT) {
            yield { type: 'end', state: endPayload.parse(JSON.parse(data)).state as RunState };
            return;
          }
        }
        buffer = buffer.slice(start);
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  // --- worker protocol ---
  /** Long-polls for a run; null when none came within waitMs (204). `signal` ends the poll early (drain). */
  async lease(body: LeaseRequest, options: { signal?: AbortSignal } = {}): Promise<Lease | null> {
    const path = pathFor(ROUTES.lease, {});
    const res = await this.raw(ROUTES.lease.method, path, { json: body, ...(options.signal ? { signal: options.signal } : {}) });
    if (res.status === 204) return null;
    return this.answerOf(ROUTES.lease, path, res);
  }
  heartbeat(leaseId: string, body: HeartbeatRequest) { return this.call(ROUTES.heartbeat, { id: leaseId }, { json: body }); }
  uploadLogs(leaseId: string, body: LogBatchRequest) { return this.call(ROUTES.uploadLogs, { id: leaseId }, { json: body }); }
  uploadResult(leaseId: string, path: string, file: { fencingToken: number; sha256: string; body: Uint8Array | ReadableStream<Uint8Array> }) {
    return this.call(ROUTES.uploadResult, { id: leaseId, '*': path }, {
      body: file.body as RequestInit['body'],
      headers: { 'content-type': ROUTES.uploadResult.body.contentType, [FENCING_TOKEN_HEADER]: String(file.fencingToken), [CONTENT_SHA256_HEADER]: file.sha256 },
    });
  }
  complete(leaseId: string, body: CompleteRequest) { return this.call(ROUTES.complete, { id: leaseId }, { json: body }); }
  /** Gives the lease back without a verdict (a draining worker): the run is queued again at once. `signal` bounds the wait. */
  release(leaseId: string, body: ReleaseRequest, options: { signal?: AbortSignal } = {}) { return this.call(ROUTES.release, { id: leaseId }, { json: body, ...(options.signal ? { signal: options.signal } : {}) }); }

  /** Prometheus text of GET /metrics. */
  async metrics(): Promise<string> { return (await this.send(ROUTES.metrics, {})).text(); }
}

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  return new PlatformClient(options);
}
