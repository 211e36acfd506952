import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../../lib/protocol/client.js';
import { startServices, type RunningServices } from '../../../agents/services/start-services.js';
import type { PlatformStatus } from '../../../common/api/platforms.contract.js';
import { Router } from '../../../common/api/router.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { registerResearcher } from './register-researcher.js';

// The proxy against a real services agent on loopback (real SQLite, real HTTP). The test plays the
// worker through the platform's own worker protocol, so runs finish with known logs and results.

function memorySecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    protection: 'plain-file',
    set: (k, v) => void values.set(k, v),
    get: (k) => values.get(k),
    has: (k) => values.has(k),
    delete: (k) => values.delete(k),
  };
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077053d0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082', 'hex');

let services: RunningServices;
let worker: PlatformClient;
let router: Router;
let secrets: ReturnType<typeof memorySecrets>;
const dirs: string[] = [];

async function call<T = unknown>(name: string, input?: unknown): Promise<T> {
  const result = await router.invoke(name, input, { transport: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as T;
}
async function failure(name: string, input?: unknown) {
  const result = await router.invoke(name, input, { transport: 'test' });
  if (result.ok) throw new Error(`${name} succeeded`);
  return result.error;
}

/** Leases the next run and completes it with `lines` log lines and two result files. */
async function workOne(lines: number, options: { beforeComplete?: () => Promise<void> } = {}) {
  const lease = await worker.lease({ queue: 'cpu', workerId: 'test-worker', waitMs: 5000 });
  if (!lease) throw new Error('no run to lease');
  await worker.heartbeat(lease.leaseId, { fencingToken: lease.fencingToken, started: true });
  for (let offset = 0; offset < lines; offset += 5000) {
    const batch = Array.from({ length: Math.min(5000, lines - offset) }, (_, i) => ({ stream: 'stdout' as const, ts: Date.now(), text: `line ${offset + i + 1}${(offset + i + 1) % 1000 === 0 ? ' checkpoint' : ''}` }));
    await worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset, lines: batch });
  }
  await options.beforeComplete?.();
  const csv = 'step,value\n0,1\n';
  const files = [
    { path: 'plot.png', body: new Uint8Array(PNG) },
    { path: 'values.csv', body: new TextEncoder().encode(csv) },
  ];
  const manifest = [];
  for (const f of files) manifest.push(await worker.uploadResult(lease.leaseId, f.path, { fencingToken: lease.fencingToken, sha256: sha(f.body), body: f.body }));
  return worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files: manifest } });
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-researcher-services-'));
  const appDir = mkdtempSync(path.join(tmpdir(), 'bt-researcher-app-'));
  dirs.push(dataDir, appDir);
  services = await startServices({ dataDir, port: 0, host: '127.0.0.1', logger: false });
  worker = createPlatformClient({ url: services.url, token: services.workerToken });
  router = new Router();
  secrets = memorySecrets();
  registerResearcher(router, { dataDir: appDir, secrets, localPlatform: Promise.resolve({ url: services.url, token: services.researcherToken }) });
});

afterAll(async () => {
  await services?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('platforms', () => {
  it('lists the local sandbox as active and reports it connected', async () => {
    const list = await call<{ platforms: { id: string; active: boolean }[]; activeId: string }>('platforms:list');
    expect(list.activeId).toBe('local');
    const status = await call<{ state: string; user: { role: string } }>('platforms:status');
    expect(status.state).toBe('connected');
    expect(status.user.role).toBe('researcher');
  });

  it("reports the GPU models and counts of the platform's GPU workers", async () => {
    const gpus = { count: 1, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA L4', memoryMiB: 23034 }] };
    expect(await worker.lease({ queue: 'gpu', workerId: 'gpu-worker', gpus })).toBeNull();
    const status = await call<PlatformStatus>('platforms:status');
    expect(status.queues?.gpu).toMatchObject({ workersOnline: 1, gpus: [{ model: 'NVIDIA L4', count: 1 }] });
  });

  it('refuses a bad token and an unreachable URL with sentences naming the platform', async () => {
    const bad = await failure('platforms:add', { name: 'Lab', url: services.url, token: 'not-a-real-token' });
    expect(bad.code).toBe('unauthorized');
    expect(bad.message).toContain('Lab');
    const gone = await failure('platforms:add', { name: 'Gone', url: 'http://127.0.0.1:9', token: 'abcdefgh12345' });
    expect(gone.code).toBe('unavailable');
    expect(gone.message).toContain('Cannot reach');
    const insecure = await failure('platforms:add', { name: 'Far', url: 'http://example.org', token: 'abcdefgh12345' });
    expect(insecure.code).toBe('bad-input');
    expect(insecure.issues?.[0]?.path).toBe('url');
  });

  it('adds a platform by URL and token, keeps the token in the secret store only, and removes it', async () => {
    const added = await call<{ id: string; active: boolean; hasToken: boolean }>('platforms:add', { name: 'My Lab', url: `${services.url}/`, token: services.researcherToken });
    expect(added).toMatchObject({ id: 'my-lab', active: true, hasToken: true });
    expect(secrets.values.get('platform-token:my-lab')).toBe(services.researcherToken);
    expect(JSON.stringify(await call('platforms:list'))).not.toContain(services.researcherToken);
    expect((await call<{ state: string }>('platforms:status')).state).toBe('connected');
    await call('platforms:set-active', { id: 'local' });
    expect((await call<{ activeId: string }>('platforms:list')).activeId).toBe('local');
    expect(await call('platforms:remove', { id: 'my-lab' })).toEqual({ removed: true, activeId: 'local' });
    expect(secrets.values.has('platform-token:my-lab')).toBe(false);
    expect((await failure('platforms:remove', { id: 'local' })).code).toBe('bad-input');
  });
});

describe('capsules', () => {
  let capsuleId: string;

  it('creates a capsule from each template and finds it by search', async () => {
    const capsule = await call<{ id: string; command: string[]; head: string }>('capsules:create-from-template', { template: 'python', name: 'Oscillation study' });
    capsuleId = capsule.id;
    expect(capsule.command).toEqual(['python3', '/code/main.py']);
    await call('capsules:create-from-template', { template: 'shell', name: 'Word count' });
    const found = await call<{ items: { id: string }[] }>('capsules:list', { search: 'oscillation' });
    expect(found.items.map((c) => c.id)).toEqual([capsuleId]);
    expect((await call<{ items: unknown[] }>('capsules:list', { search: 'no such capsule' })).items).toEqual([]);
  });

  it('browses files, edits one as a new version, and shows the history', async () => {
    const tree = await call<{ entries: { path: string }[] }>('capsules:tree', { id: capsuleId });
    expect(tree.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['main.py', 'README.md']));
    const file = await call<{ encoding: string; content: string }>('capsules:read-file', { id: capsuleId, path: 'main.py' });
    expect(file.encoding).toBe('utf8');
    const before = await call<{ head: string }>('capsules:get', { id: capsuleId });
    const edited = file.content.replace('"40"', '"20"');
    await call('capsules:commit', { id: capsuleId, message: 'Fewer steps', parent: before.head, files: [{ path: 'main.py', content: edited }, { path: 'data/pixel.png', content: PNG.toString('base64'), encoding: 'base64' }] });
    expect((await call<{ content: string }>('capsules:read-file', { id: capsuleId, path: 'main.py' })).content).toBe(edited);
    expect((await call<{ encoding: string }>('capsules:read-file', { id: capsuleId, path: 'data/pixel.png' })).encoding).toBe('base64');
    const history = await call<{ items: { message: string }[] }>('capsules:history', { id: capsuleId });
    expect(history.items.map((c) => c.message)[0]).toBe('Fewer steps');
    expect(history.items).toHaveLength(2);
    const stale = await failure('capsules:commit', { id: capsuleId, message: 'Late edit', parent: before.head, files: [{ path: 'x.txt', content: 'x' }] });
    expect(stale.code).toBe('conflict');
  });

  it('answers not-found for an unknown capsule', async () => {
    const missing = await failure('capsules:get', { id: 'cap_0000000000000000' });
    expect(missing.code).toBe('not-found');
  });
});

describe('runs', () => {
  let capsuleId: string;
  let first: { id: string; state: string };

  beforeAll(async () => {
    capsuleId = (await call<{ id: string }>('capsules:create-from-template', { template: 'python', name: 'Runs under test' })).id;
  });

  it('launches a run, follows its logs live in batches, and notifies when it finishes', async () => {
    first = await call('runs:launch', { capsuleId, parameters: { steps: 10 }, idempotencyKey: 'test-launch-0001' });
    expect(first.state).toBe('queued');
    const again = await call<{ id: string }>('runs:launch', { capsuleId, parameters: { steps: 10 }, idempotencyKey: 'test-launch-0001' });
    expect(again.id).toBe(first.id);

    const finishedRuns: string[] = [];
    const finishedSub = router.subscribe('runs:finished', undefined, (p) => finishedRuns.push((p as { run: { id: string } }).run.id));
    const batches: { lines: { seq: number }[]; end?: string }[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      const sub = router.subscribe('runs:follow-logs', { id: first.id }, (p) => {
        const batch = p as (typeof batches)[number];
        batches.push(batch);
        if (batch.end) resolve();
      }, (e) => reject(new Error(e.message)));
      if (!sub.ok) reject(new Error(sub.error.message));
    });
    await workOne(12_000);
    await ended;
    const seqs = batches.flatMap((b) => b.lines.map((l) => l.seq));
    expect(seqs).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1));
    expect(batches.length).toBeLessThan(200);
    expect(batches.at(-1)?.end).toBe('succeeded');
    await expect.poll(() => finishedRuns, { timeout: 10_000 }).toContain(first.id);
    if (finishedSub.ok) finishedSub.unsubscribe();
  });

  it('counts, pages and searches a finished run\'s log', async () => {
    expect(await call('runs:count-logs', { id: first.id })).toEqual({ total: 12_000, done: true });
    const page = await call<{ items: { seq: number; text: string }[] }>('runs:read-logs', { id: first.id, after: 5000, limit: 3 });
    expect(page.items.map((l) => l.text)).toEqual(['line 5001', 'line 5002', 'line 5003']);
    const found = await call<{ matches: { seq: number }[]; scanned: number; truncated: boolean }>('runs:search-logs', { id: first.id, query: 'CHECKPOINT' });
    expect(found.matches.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 1000));
    expect(found.scanned).toBe(12_000);
    expect(found.truncated).toBe(false);
  });

  it('lists results, reads an image as base64 and a table as text, lists runs by state', async () => {
    const manifest = await call<{ files: { path: string }[] }>('runs:results', { id: first.id });
    expect(manifest.files.map((f) => f.path)).toEqual(['plot.png', 'values.csv']);
    const image = await call<{ encoding: string; content: string; size: number }>('runs:read-result', { id: first.id, path: 'plot.png' });
    expect(image.encoding).toBe('base64');
    expect(Buffer.from(image.content, 'base64').equals(PNG)).toBe(true);
    const table = await call<{ encoding: string; content: string }>('runs:read-result', { id: first.id, path: 'values.csv' });
    expect(table).toMatchObject({ encoding: 'utf8', content: 'step,value\n0,1\n' });
    const cut = await call<{ truncated: boolean; content: string; size: number }>('runs:read-result', { id: first.id, path: 'values.csv', maxBytes: 4 });
    expect(cut).toMatchObject({ truncated: true, content: 'step', size: 15 });
    const succeeded = await call<{ items: { id: string }[] }>('runs:list', { state: 'succeeded' });
    expect(succeeded.items.map((r) => r.id)).toContain(first.id);
    expect((await call<{ items: unknown[] }>('runs:list', { state: 'failed' })).items).toEqual([]);
  });

  it('re-runs a run and compares the two as identical', async () => {
    const second = await call<{ id: string; rerunOf: string }>('runs:rerun', { id: first.id });
    expect(second.rerunOf).toBe(first.id);
    await workOne(10);
    expect(await call('runs:compare', { a: first.id, b: second.id })).toEqual({ identical: true, changed: [], added: [], removed: [] });
  });

  it('cancels a queued run and maps a bad launch to a clear error', async () => {
    const queued = await call<{ id: string }>('runs:launch', { capsuleId });
    const cancelled = await call<{ state: string }>('runs:cancel', { id: queued.id });
    expect(cancelled.state).toBe('cancelled');
    const bad = await failure('runs:launch', { capsuleId: 'cap_0000000000000000' });
    expect(bad.code).toBe('not-found');
    const invalid = await failure('runs:launch', { capsuleId, resources: { cpus: 0 } });
    expect(invalid.code).toBe('bad-input');
    expect(invalid.issues?.[0]?.path).toBe('resources.cpus');
  });
});
