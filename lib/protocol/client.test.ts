import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../common/protocol/routes.js';
import { createPlatformClient, PlatformError, type PlatformClient } from './client.js';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const ID = 'cap_0123456789';
const RUN = 'run_0123456789';
const SHA = 'a'.repeat(64);

/** A client whose fetch records each request and answers `answer` (default: a 400 error body). */
function recordingClient(answer: () => Response = () => Response.json({ error: { code: 'bad-input', message: 'recorded' } }, { status: 400 })): { client: PlatformClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = createPlatformClient({
    url: 'http://127.0.0.1:9/',
    token: 'tok',
    fetch: async (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input), headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body });
      return answer();
    },
  });
  return { client, sent };
}

// Every client method, with the request it must send.
const calls: [string, (c: PlatformClient) => Promise<unknown>][] = [
  ['GET /api/v1/health', (c) => c.health()],
  ['GET /api/v1/queues', (c) => c.queues()],
  ['POST /api/v1/queues/gpu/scaling', (c) => c.setScaling('gpu', true)],
  ['GET /api/v1/me', (c) => c.me()],
  ['GET /api/v1/users?limit=2&cursor=5', (c) => c.listUsers({ limit: 2, cursor: '5' })],
  ['POST /api/v1/users', (c) => c.createUser({ name: 'ada', role: 'researcher' })],
  ['GET /api/v1/users/usr_0123456789/tokens', (c) => c.listTokens('usr_0123456789')],
  ['POST /api/v1/users/usr_0123456789/tokens', (c) => c.createToken('usr_0123456789', 'laptop')],
  ['DELETE /api/v1/tokens/tok_0123456789', (c) => c.revokeToken('tok_0123456789')],
  ['PUT /api/v1/users/usr_0123456789/role', (c) => c.setUserRole('usr_0123456789', 'pi')],
  ['DELETE /api/v1/users/usr_0123456789/tokens', (c) => c.revokeUserTokens('usr_0123456789')],
  ['GET /api/v1/people', (c) => c.listPeople()],
  ['GET /api/v1/me/notifications?after=4', (c) => c.notifications(4)],
  ['GET /api/v1/audit?action=run.cancel', (c) => c.audit({ action: 'run.cancel' })],
  [`GET /api/v1/capsules/${ID}/reproducibility`, (c) => c.reproducibility(ID)],
  [`PUT /api/v1/capsules/${ID}/reproducibility`, (c) => c.setReproducibility(ID, { schedule: 'weekly' })],
  [`PUT /api/v1/capsules/${ID}/sharing`, (c) => c.shareCapsule(ID, { visibility: 'lab' })],
  ['POST /api/v1/datasets/dst_0123456789/uploads', (c) => c.startUpload('dst_0123456789', { sha256: SHA, size: 1 })],
  ['POST /api/v1/datasets/dst_0123456789/uploads/complete', (c) => c.completeUpload('dst_0123456789', { uploadId: 'u', sha256: SHA, size: 1, parts: [{ partNumber: 1, etag: '"e"' }] })],
  ['PUT /api/v1/datasets/dst_0123456789/sharing', (c) => c.shareDataset('dst_0123456789', { collaborators: [] })],
  ['GET /api/v1/cost/rollup?month=2026-12&by=capsule', (c) => c.costRollup({ month: '2026-12', by: 'capsule' })],
  ['GET /api/v1/cost/local-rate', (c) => c.localRate()],
  ['PUT /api/v1/cost/local-rate', (c) => c.setLocalRate(0.4)],
  ['GET /api/v1/budget', (c) => c.budget()],
  ['PUT /api/v1/budget', (c) => c.setBudget({ basis: 'forecast' })],
  ['POST /api/v1/budget/check', (c) => c.checkBudget()],
  ['POST /api/v1/budget/resume', (c) => c.resumeBudget()],
  ['GET /api/v1/backups', (c) => c.listBackups()],
  ['POST /api/v1/backups', (c) => c.createBackup()],
  ['POST /api/v1/backups/benchtop-2026-12-01T10-00-00-000Z.sqlite/restore', (c) => c.restoreBackup('benchtop-2026-12-01T10-00-00-000Z.sqlite')],
  ['GET /api/v1/backup-drills', (c) => c.listDrills()],
  ['POST /api/v1/backup-drills', (c) => c.runDrill()],
  ['GET /metrics', (c) => c.metrics()],
  ['GET /api/v1/capsules', (c) => c.listCapsules()],
  ['POST /api/v1/capsules', (c) => c.createCapsule({ name: 'x', environment: { baseImage: 'python:3.12-slim' }, command: ['true'] })],
  [`GET /api/v1/capsules/${ID}`, (c) => c.getCapsule(ID)],
  [`POST /api/v1/capsules/${ID}/commits`, (c) => c.commit(ID, { message: 'm' })],
  [`GET /api/v1/capsules/${ID}/commits?limit=1`, (c) => c.listCommits(ID, { limit: 1 })],
  [`GET /api/v1/capsules/${ID}/tree?ref=HEAD`, (c) => c.tree(ID)],
  [`GET /api/v1/capsules/${ID}/files/src/a%20b%23.py?ref=abcd`, (c) => c.readFile(ID, 'src/a b#.py', 'abcd')],
  [`GET /api/v1/capsules/${ID}/archive?ref=HEAD`, (c) => c.archive(ID)],
  ['GET /api/v1/datasets?cursor=c', (c) => c.listDatasets({ cursor: 'c' })],
  ['POST /api/v1/datasets', (c) => c.createDataset({ name: 'd' })],
  ['GET /api/v1/datasets/dst_0123456789', (c) => c.getDataset('dst_0123456789')],
  [`PUT /api/v1/datasets/dst_0123456789/blobs/${SHA}`, (c) => c.uploadBlob('dst_0123456789', SHA, new Uint8Array([1]))],
  ['POST /api/v1/datasets/dst_0123456789/versions', (c) => c.createVersion('dst_0123456789', { files: [{ path: 'a', size: 1, sha256: SHA }] })],
  ['GET /api/v1/datasets/dst_0123456789/versions', (c) => c.listVersions('dst_0123456789')],
  [`GET /api/v1/datasets/dst_0123456789/versions/${SHA}`, (c) => c.getVersion('dst_0123456789', SHA)],
  [`GET /api/v1/datasets/dst_0123456789/versions/${SHA}/files/x/y%3F.csv`, (c) => c.datasetFile('dst_0123456789', SHA, 'x/y?.csv')],
  ['POST /api/v1/runs', (c) => c.createRun({ capsuleId: ID }, { idempotencyKey: 'k1' })],
  ['GET /api/v1/runs?state=queued&queue=cpu', (c) => c.listRuns({ state: 'queued', queue: 'cpu' })],
  [`GET /api/v1/runs/${RUN}`, (c) => c.getRun(RUN)],
  [`POST /api/v1/runs/${RUN}/cancel`, (c) => c.cancelRun(RUN)],
  [`POST /api/v1/runs/${RUN}/rerun`, (c) => c.rerun(RUN)],
  [`GET /api/v1/runs/${RUN}/logs?after=3`, (c) => c.logs(RUN, { after: 3 })],
  [`GET /api/v1/runs/${RUN}/logs/stream`, (c) => c.streamLogs(RUN, { after: 7 }).next()],
  [`GET /api/v1/runs/${RUN}/results`, (c) => c.results(RUN)],
  [`GET /api/v1/runs/${RUN}/results/out/r%C3%A9sum%C3%A9.txt`, (c) => c.resultFile(RUN, 'out/résumé.txt')],
  [`GET /api/v1/runs/${RUN}/downstream`, (c) => c.downstream(RUN)],
  [`POST /api/v1/runs/${RUN}/terminal`, (c) => c.openRunTerminal(RUN)],
  [`GET /api/v1/runs/${RUN}/compare/run_9876543210`, (c) => c.compare(RUN, 'run_9876543210')],
  ['POST /api/v1/leases', (c) => c.lease({ queue: 'cpu', workerId: 'w' })],
  ['POST /api/v1/leases/lse_0123456789/heartbeat', (c) => c.heartbeat('lse_0123456789', { fencingToken: 1 })],
  ['POST /api/v1/leases/lse_0123456789/logs', (c) => c.uploadLogs('lse_0123456789', { fencingToken: 1, offset: 0, lines: [] })],
  ['PUT /api/v1/leases/lse_0123456789/results/plots/a%20b.png', (c) => c.uploadResult('lse_0123456789', 'plots/a b.png', { fencingToken: 2, sha256: SHA, body: new Uint8Array([1]) })],
  ['POST /api/v1/leases/lse_0123456789/complete', (c) => c.complete('lse_0123456789', { fencingToken: 1, state: 'succeeded', exitCode: 0 })],
  ['POST /api/v1/leases/lse_0123456789/release', (c) => c.release('lse_0123456789', { fencingToken: 1, reason: 'draining' })],
];

/** The declared route a request path matches, by its pattern. */
function routeOf(method: string, path: string): string | undefined {
  return Object.entries(ROUTES).find(([, r]) => {
    if (r.method !== method) return false;
    const pattern = r.path
      .split('/')
      .map((s) => (s === '*' ? '.+' : s.startsWith(':') ? '[^/]+' : s))
      .join('/');
    return new RegExp(`^${pattern}$`).test(path);
  })?.[0];
}

async function sentBy(call: (c: PlatformClient) => Promise<unknown>): Promise<Sent> {
  const { client, sent } = recordingClient();
  await expect(call(client)).rejects.toThrow(PlatformError);
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

describe('PlatformClient URLs', () => {
  it.each(calls)('%s', async (expected, call) => {
    const request = await sentBy(call);
    expect(`${request.method} ${request.url.replace('http://127.0.0.1:9', '')}`).toBe(expected);
    expect(request.headers.authorization).toBe('Bearer tok');
  });

  it('has a method for every declared route', async () => {
    const hit = new Set<string | undefined>();
    for (const [, call] of calls) {
      const { method, url } = await sentBy(call);
      hit.add(routeOf(method, new URL(url).pathname));
    }
    expect([...hit].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('keeps an id in its own segment: a slash in it does not reach another route', async () => {
    expect((await sentBy((c) => c.getCapsule('cap_1/commits'))).url).toBe('http://127.0.0.1:9/api/v1/capsules/cap_1%2Fcommits');
  });

  it('sends the headers a route declares', async () => {
    expect((await sentBy((c) => c.createRun({ capsuleId: ID }, { idempotencyKey: 'k1' }))).headers['idempotency-key']).toBe('k1');
    expect((await sentBy((c) => c.streamLogs(RUN, { after: 7 }).next())).headers['last-event-id']).toBe('7');
    const upload = await sentBy((c) => c.uploadResult('lse_0123456789', 'a', { fencingToken: 2, sha256: SHA, body: new Uint8Array([1]) }));
    expect(upload.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'x-fencing-token': '2', 'x-content-sha256': SHA });
  });
});

describe('PlatformClient answers', () => {
  it('parses an answer with its route\'s schema and names the call when it does not match', async () => {
    const { client } = recordingClient(() => Response.json({ id: RUN }));
    const error = await client.getRun(RUN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ status: 200, code: 'bad-response' });
    expect((error as Error).message).toContain(`GET /api/v1/runs/${RUN}: answer does not match the protocol`);
  });

  it('answers null for a lease poll that found no run (204), and checks a lease it got', async () => {
    expect(await recordingClient(() => new Response(null, { status: 204 })).client.lease({ queue: 'cpu', workerId: 'w' })).toBeNull();
    await expect(recordingClient(() => Response.json({ leaseId: 'x' })).client.lease({ queue: 'cpu', workerId: 'w' })).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('passes the server\'s error through as a PlatformError', async () => {
    const { client } = recordingClient(() => Response.json({ error: { code: 'not-found', message: 'run run_x does not exist' } }, { status: 404 }));
    await expect(client.getRun('run_x')).rejects.toMatchObject({ status: 404, code: 'not-found', message: 'run run_x does not exist' });
  });
});
