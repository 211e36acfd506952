import { z } from 'zod';
import {
  API_PREFIX,
  errorBody,
  type ErrorCode,
  type QueueName,
} from '../../common/protocol/common.js';
import { healthResponse, queueStatus, queuesResponse } from '../../common/protocol/health.js';
import { createdToken, meResponse, revokedToken, tokenList, user, userList, type CreateUserRequest } from '../../common/protocol/users.js';
import {
  capsule,
  capsuleList,
  commitList,
  createCommitResponse,
  treeResponse,
  type CreateCapsuleRequest,
  type CreateCommitRequest,
} from '../../common/protocol/capsules.js';
import { blobResponse, dataset, datasetList, datasetVersion, datasetVersionList, type CreateVersionRequest } from '../../common/protocol/datasets.js';
import { run, runList, IDEMPOTENCY_KEY_HEADER, type CreateRunRequest, type RunState } from '../../common/protocol/runs.js';
import { logBatchResponse, logLine, logsPage, END_EVENT, LOG_EVENT, type LogBatchRequest, type LogLine } from '../../common/protocol/logs.js';
import { comparison, resultsManifest, resultUploadResponse, CONTENT_SHA256_HEADER, FENCING_TOKEN_HEADER } from '../../common/protocol/results.js';
import { heartbeatResponse, lease, type CompleteRequest, type HeartbeatRequest, type Lease, type LeaseRequest } from '../../common/protocol/leases.js';

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

type Query = Record<string, string | number | boolean | undefined>;

/** Encodes a relative path segment by segment, keeping its slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

const endPayload = z.object({ state: z.string() });

export class PlatformClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: PlatformClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends a request and returns the raw response when it is 2xx; throws PlatformError otherwise. */
  async raw(method: string, path: string, init: { body?: RequestInit['body']; json?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
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

  private async json<T extends z.ZodType>(schema: T, method: string, path: string, init: Parameters<PlatformClient['raw']>[2] = {}): Promise<z.output<T>> {
    const res = await this.raw(method, path, init);
    const data: unknown = await res.json();
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new PlatformError(res.status, 'bad-response', `${method} ${path}: answer does not match the protocol: ${parsed.error.message}`);
    return parsed.data;
  }

  private async bytes(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.raw('GET', path)).arrayBuffer());
  }

  // --- health, queues, users ---
  health() { return this.json(healthResponse, 'GET', `${API_PREFIX}/health`); }
  queues() { return this.json(queuesResponse, 'GET', `${API_PREFIX}/queues`); }
  setScaling(queue: QueueName, scalingUp: boolean) { return this.json(queueStatus, 'POST', `${API_PREFIX}/queues/${queue}/scaling`, { json: { scalingUp } }); }
  me() { return this.json(meResponse, 'GET', `${API_PREFIX}/me`); }
  listUsers(query?: { limit?: number; cursor?: string }) { return this.json(userList, 'GET', withQuery(`${API_PREFIX}/users`, query)); }
  createUser(body: CreateUserRequest) { return this.json(user, 'POST', `${API_PREFIX}/users`, { json: body }); }
  createToken(userId: string, label = '') { return this.json(createdToken, 'POST', `${API_PREFIX}/users/${userId}/tokens`, { json: { label } }); }
  listTokens(userId: string) { return this.json(tokenList, 'GET', `${API_PREFIX}/users/${userId}/tokens`); }
  revokeToken(tokenId: string) { return this.json(revokedToken, 'DELETE', `${API_PREFIX}/tokens/${tokenId}`); }

  // --- capsules ---
  listCapsules(query?: { limit?: number; cursor?: string }) { return this.json(capsuleList, 'GET', withQuery(`${API_PREFIX}/capsules`, query)); }
  createCapsule(body: CreateCapsuleRequest) { return this.json(capsule, 'POST', `${API_PREFIX}/capsules`, { json: body }); }
  getCapsule(id: string) { return this.json(capsule, 'GET', `${API_PREFIX}/capsules/${id}`); }
  commit(id: string, body: CreateCommitRequest) { return this.json(createCommitResponse, 'POST', `${API_PREFIX}/capsules/${id}/commits`, { json: body }); }
  listCommits(id: string, query?: { limit?: number; cursor?: string }) { return this.json(commitList, 'GET', withQuery(`${API_PREFIX}/capsules/${id}/commits`, query)); }
  tree(id: string, ref = 'HEAD') { return this.json(treeResponse, 'GET', withQuery(`${API_PREFIX}/capsules/${id}/tree`, { ref })); }
  readFile(id: string, path: string, ref = 'HEAD') { return this.bytes(withQuery(`${API_PREFIX}/capsules/${id}/files/${encodePath(path)}`, { ref })); }
  /** The version as a tar archive (raw response; header x-commit names the commit). */
  archive(id: string, ref = 'HEAD') { return this.raw('GET', withQuery(`${API_PREFIX}/capsules/${id}/archive`, { ref })); }

  // --- datasets ---
  listDatasets(query?: { limit?: number; cursor?: string }) { return this.json(datasetList, 'GET', withQuery(`${API_PREFIX}/datasets`, query)); }
  createDataset(body: { name: string; description?: string }) { return this.json(dataset, 'POST', `${API_PREFIX}/datasets`, { json: body }); }
  getDataset(id: string) { return this.json(dataset, 'GET', `${API_PREFIX}/datasets/${id}`); }
  uploadBlob(id: string, sha256: string, body: Uint8Array | ReadableStream<Uint8Array>) {
    return this.json(blobResponse, 'PUT', `${API_PREFIX}/datasets/${id}/blobs/${sha256}`, { body: body as RequestInit['body'], headers: { 'content-type': 'application/octet-stream' } });
  }
  createVersion(id: string, body: CreateVersionRequest) { return this.json(datasetVersion, 'POST', `${API_PREFIX}/datasets/${id}/versions`, { json: body }); }
  listVersions(id: string, query?: { limit?: number; cursor?: string }) { return this.json(datasetVersionList, 'GET', withQuery(`${API_PREFIX}/datasets/${id}/versions`, query)); }
  getVersion(id: string, version: string) { return this.json(datasetVersion, 'GET', `${API_PREFIX}/datasets/${id}/versions/${version}`); }
  /** One file of a dataset version (raw response, to stream into /data). */
  datasetFile(id: string, version: string, path: string) { return this.raw('GET', `${API_PREFIX}/datasets/${id}/versions/${version}/files/${encodePath(path)}`); }

  // --- runs ---
  /** The new run (201), or with an `idempotencyKey` used in the last 24 hours the run that key made (200, nothing created). */
  createRun(body: CreateRunRequest, options: { idempotencyKey?: string } = {}) {
    const headers: Record<string, string> = options.idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: options.idempotencyKey } : {};
    return this.json(run, 'POST', `${API_PREFIX}/runs`, { json: body, headers });
  }
  listRuns(query?: { state?: RunState; queue?: QueueName; capsuleId?: string; limit?: number; cursor?: string }) { return this.json(runList, 'GET', withQuery(`${API_PREFIX}/runs`, query)); }
  getRun(id: string) { return this.json(run, 'GET', `${API_PREFIX}/runs/${id}`); }
  cancelRun(id: string) { return this.json(run, 'POST', `${API_PREFIX}/runs/${id}/cancel`); }
  rerun(id: string) { return this.json(run, 'POST', `${API_PREFIX}/runs/${id}/rerun`); }
  logs(id: string, query?: { after?: number; limit?: number }) { return this.json(logsPage, 'GET', withQuery(`${API_PREFIX}/runs/${id}/logs`, query)); }
  results(id: string) { return this.json(resultsManifest, 'GET', `${API_PREFIX}/runs/${id}/results`); }
  /** One result file (raw response). */
  resultFile(id: string, path: string) { return this.raw('GET', `${API_PREFIX}/runs/${id}/results/${encodePath(path)}`); }
  compare(a: string, b: string) { return this.json(comparison, 'GET', `${API_PREFIX}/runs/${a}/compare/${b}`); }

  /**
   * Follows a run's log live (SSE) from line `after` + 1; ends after the `end` event. To resume
   * after a dropped connection, call again with the last seq received.
   */
  async *streamLogs(id: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<LogStreamEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.after !== undefined) headers['last-event-id'] = String(options.after);
    const res = await this.raw('GET', `${API_PREFIX}/runs/${id}/logs/stream`, { headers, signal: options.signal });
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
    const res = await this.raw('POST', `${API_PREFIX}/leases`, { json: body, ...(options.signal ? { signal: options.signal } : {}) });
    if (res.status === 204) return null;
    const parsed = lease.safeParse(await res.json());
    if (!parsed.success) throw new PlatformError(res.status, 'bad-response', `POST /leases: answer does not match the protocol: ${parsed.error.message}`);
    return parsed.data;
  }
  heartbeat(leaseId: string, body: HeartbeatRequest) { return this.json(heartbeatResponse, 'POST', `${API_PREFIX}/leases/${leaseId}/heartbeat`, { json: body }); }
  uploadLogs(leaseId: string, body: LogBatchRequest) { return this.json(logBatchResponse, 'POST', `${API_PREFIX}/leases/${leaseId}/logs`, { json: body }); }
  uploadResult(leaseId: string, path: string, file: { fencingToken: number; sha256: string; body: Uint8Array | ReadableStream<Uint8Array> }) {
    return this.json(resultUploadResponse, 'PUT', `${API_PREFIX}/leases/${leaseId}/results/${encodePath(path)}`, {
      body: file.body as RequestInit['body'],
      headers: { 'content-type': 'application/octet-stream', [FENCING_TOKEN_HEADER]: String(file.fencingToken), [CONTENT_SHA256_HEADER]: file.sha256 },
    });
  }
  complete(leaseId: string, body: CompleteRequest) { return this.json(run, 'POST', `${API_PREFIX}/leases/${leaseId}/complete`, { json: body }); }

  /** Prometheus text of GET /metrics. */
  async metrics(): Promise<string> { return (await this.raw('GET', '/metrics')).text(); }
}

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  return new PlatformClient(options);
}
