import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// One fixed seed in `npm test`, so the suite asks the same requests every time; to explore further,
// FUZZ_SEED=<n> npx vitest run agents/services/fuzz.test.ts (and keep a seed that finds a 5xx as a test).
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;

const WEIRD_STRINGS = ['', ' ', 'a'.repeat(5000), '../../etc/passwd', '%00', '\u0000', '😀', '<script>', "' OR 1=1 --", 'null', '-1', '1e309', 'HEAD', 'run_', '__proto__', 'constructor', '\n\r', 'ä/ö'];
const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 60), 'x', [], {}, [1, 'a'], { __proto__: { admin: true } }, { constructor: { prototype: {} } }, ...WEIRD_STRINGS];

function weirdValue(depth = 0): unknown {
  if (depth < 2 && chance(0.15)) return Object.fromEntries(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => [pick(WEIRD_STRINGS).slice(0, 20), weirdValue(depth + 1)]));
  if (depth < 2 && chance(0.1)) return Array.from({ length: Math.floor(rand() * 4) }, () => weirdValue(depth + 1));
  return pick(WEIRD_VALUES);
}

/** A valid body of the route, then broken in one or more ways. */
function mutate(body: Record<string, unknown>): unknown {
  if (chance(0.1)) return weirdValue();
  const out: Record<string, unknown> = structuredClone(body);
  const keys = Object.keys(out);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.3 && keys.length) delete out[pick(keys)];
    else if (r < 0.7 && keys.length) out[pick(keys)] = weirdValue();
    else out[pick(WEIRD_STRINGS).slice(0, 30) || 'extra'] = weirdValue();
  }
  return out;
}

interface Target { method: string; path: string; body?: Record<string, unknown>; raw?: boolean }

describe(`fuzz (seed ${SEED}): malformed requests to every route get 4xx, never 5xx`, () => {
  let h: Harness;
  let targets: Target[];
  let tokens: string[];

  beforeAll(async () => {
    h = await startHarness({ maxWaitMs: 20, leaseTtlMs: 60_000 });
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const ds = await h.researcher.createDataset({ name: 'd' });
    const bytes = new TextEncoder().encode('1,2\n');
    const digest = createHash('sha256').update(bytes).digest('hex');
    await h.researcher.uploadBlob(ds.id, digest, bytes);
    const version = await h.researcher.createVersion(ds.id, { files: [{ path: 'a.csv', size: 4, sha256: digest }] });
    const finished = await h.researcher.createRun({ capsuleId: capsule.id });
    const l1 = (await h.worker.lease({ queue: 'cpu', workerId: 'w' }))!;
    await h.worker.complete(l1.leaseId, { fencingToken: l1.fencingToken, state: 'succeeded', exitCode: 0 });
    const live = await h.researcher.createRun({ capsuleId: capsule.id });
    const lease = (await h.worker.lease({ queue: 'cpu', workerId: 'w' }))!;
    const user = await h.admin.createUser({ name: 'u', role: 'researcher' });
    const c = capsule.id;
    const r = finished.id;
    const L = lease.leaseId;
    const f = lease.fencingToken;
    targets = [
      { method: 'GET', path: '/api/v1/health' },
      { method: 'GET', path: '/api/v1/queues' },
      { method: 'POST', path: '/api/v1/queues/gpu/scaling', body: { scalingUp: true } },
      { method: 'GET', path: '/api/v1/me' },
      { method: 'GET', path: '/api/v1/users?limit=5' },
      { method: 'POST', path: '/api/v1/users', body: { name: 'x', role: 'researcher' } },
      { method: 'GET', path: `/api/v1/users/${user.id}/tokens` },
      { method: 'POST', path: `/api/v1/users/${user.id}/tokens`, body: { label: 'l' } },
      { method: 'DELETE', path: '/api/v1/tokens/tok_00000000000000000000' },
      { method: 'GET', path: '/api/v1/capsules' },
      { method: 'POST', path: '/api/v1/capsules', body: { ...exampleCapsule } },
      { method: 'GET', path: `/api/v1/capsules/${c}` },
      { method: 'POST', path: `/api/v1/capsules/${c}/commits`, body: { message: 'm', files: [{ path: 'f.txt', content: 'x' }] } },
      { method: 'GET', path: `/api/v1/capsules/${c}/commits` },
      { method: 'GET', path: `/api/v1/capsules/${c}/tree?ref=HEAD` },
      { method: 'GET', path: `/api/v1/capsules/${c}/files/main.py?ref=HEAD` },
      { method: 'GET', path: `/api/v1/capsules/${c}/archive` },
      { method: 'GET', path: '/api/v1/datasets' },
      { method: 'POST', path: '/api/v1/datasets', body: { name: 'n' } },
      { method: 'GET', path: `/api/v1/datasets/${ds.id}` },
      { method: 'PUT', path: `/api/v1/datasets/${ds.id}/blobs/${digest}`, raw: true },
      { method: 'POST', path: `/api/v1/datasets/${ds.id}/versions`, body: { files: [{ path: 'a.csv', size: 4, sha256: digest }] } },
      { method: 'GET', path: `/api/v1/datasets/${ds.id}/versions` },
      { method: 'GET', path: `/api/v1/datasets/${ds.id}/versions/${version.version}` },
      { method: 'GET', path: `/api/v1/datasets/${ds.id}/versions/${version.version}/files/a.csv` },
      { method: 'POST', path: '/api/v1/runs', body: { capsuleId: c, queue: 'cpu', parameters: { a: 1 }, resources: { cpus: 1 } } },
      { method: 'GET', path: '/api/v1/runs?limit=3&state=queued' },
      { method: 'GET', path: `/api/v1/runs/${r}` },
      { method: 'POST', path: `/api/v1/runs/${live.id}/cancel` },
      { method: 'POST', path: `/api/v1/runs/${r}/rerun` },
      { method: 'GET', path: `/api/v1/runs/${r}/logs?after=0&limit=10` },
      { method: 'GET', path: `/api/v1/runs/${r}/logs/stream` },
      { method: 'GET', path: `/api/v1/runs/${r}/results` },
      { method: 'GET', path: `/api/v1/runs/${r}/results/x.txt` },
      { method: 'GET', path: `/api/v1/runs/${r}/compare/${r}` },
      { method: 'POST', path: '/api/v1/leases', body: { queue: 'cpu', workerId: 'w', waitMs: 10 } },
      { method: 'POST', path: `/api/v1/leases/${L}/heartbeat`, body: { fencingToken: f } },
      { method: 'POST', path: `/api/v1/leases/${L}/logs`, body: { fencingToken: f, offset: 0, lines: [{ stream: 'stdout', ts: 1, text: 'x' }] } },
      { method: 'PUT', path: `/api/v1/leases/${L}/results/out.txt`, raw: true },
      { method: 'POST', path: `/api/v1/leases/${L}/complete`, body: { fencingToken: f, state: 'failed', exitCode: 1 } },
      { method: 'GET', path: '/metrics' },
    ];
    tokens = [h.running.adminToken, h.running.researcherToken, h.running.workerToken];
  });
  afterAll(async () => {
    await h.close();
  });

  function mutatePath(path: string): string {
    const r = rand();
    if (r < 0.45) return path;
    const [base, query] = path.split('?') as [string, string | undefined];
    const segments = base.split('/');
    const i = 3 + Math.floor(rand() * Math.max(1, segments.length - 3));
    if (r < 0.65) segments[i] = encodeURIComponent(pick(WEIRD_STRINGS)).slice(0, 3000) || '%zz';
    else if (r < 0.75) segments[i] = pick(['%zz', '%', '%C0%AF', '..', '.', '%2e%2e', '%2F', '//', 'run_00000000000000000000', 'cap_zzzzzzzzzzzz']);
    else if (r < 0.85) return `${base}?${pick(['limit=0', 'limit=-1', 'limit=abc', 'limit=99999', 'after=-5', 'after=1e99', 'cursor=%zz', 'cursor=abc', 'ref=--help', 'ref=HEAD~1', 'state=bogus', 'x=1&x=2', 'limit=1&limit=2', 'ref=' + 'f'.repeat(40)])}`;
    else segments.push(pick(WEIRD_STRINGS).slice(0, 50));
    return segments.join('/') + (query ? `?${query}` : '');
  }

  function headersFor(target: Target): Record<string, string> {
    const h: Record<string, string> = {};
    const a = rand();
    if (a < 0.7) h.authorization = `Bearer ${pick(tokens)}`;
    else if (a < 0.8) h.authorization = pick(['Bearer', 'Bearer ', 'Basic abc', `Bearer ${'x'.repeat(600)}`, 'bearer bt_x', 'Bearer bt_\u00e9']);
    if (target.body !== undefined && chance(0.9)) h['content-type'] = 'application/json';
    if (chance(0.1)) h['content-type'] = pick(['text/plain', 'application/json; charset=latin1', 'multipart/form-data', 'application/x-www-form-urlencoded', '', 'application/octet-stream']);
    if (chance(0.15)) h['idempotency-key'] = pick(['k', 'x'.repeat(300), ' ', 'ä']);
    if (chance(0.1)) h['last-event-id'] = pick(['1', '-1', 'abc', '9'.repeat(30), '']);
    if (target.raw || chance(0.05)) {
      h['x-fencing-token'] = pick(['1', '0', '-3', 'abc', '1.5', '99999999999999999999', String(Math.floor(rand() * 10))]);
      h['x-content-sha256'] = pick(['a'.repeat(64), 'zz', '', createHash('sha256').update('x').digest('hex')]);
    }
    return h;
  }

  function payloadFor(target: Target): string | Buffer | undefined {
    if (target.raw) return chance(0.5) ? 'x' : Buffer.alloc(Math.floor(rand() * 2000), 1);
    if (target.body === undefined) return chance(0.2) ? JSON.stringify(weirdValue()) : undefined;
    const r = rand();
    if (r < 0.1) return pick(['{', '{"a":', '[', 'nul', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '', '\u0000', '{}'.repeat(1000)]);
    if (r < 0.15) return JSON.stringify(target.body);
    return JSON.stringify(mutate(target.body));
  }

  it('sends 5,000 malformed requests across every route', { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const N = 5000;
    let i = 0;
    const workerLoop = async () => {
      for (;;) {
        const n = i++;
        if (n >= N) return;
        const target = pick(targets);
        const method = chance(0.05) ? pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) : target.method;
        const url = mutatePath(target.path);
        const headers = headersFor(target);
        const payload = method === 'GET' || method === 'HEAD' ? undefined : payloadFor(target);
        const res = await h.running.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) failures.push(`${method} ${url} ${JSON.stringify(headers).slice(0, 200)} ${String(payload).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && res.statusCode < 500 && method !== 'HEAD') {
          const body = JSON.parse(res.body) as { error?: { code?: string; message?: string } };
          if (!body.error?.code || !body.error.message) failures.push(`${method} ${url} → ${res.statusCode} without an error body: ${res.body.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, workerLoop));
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(N);
    // The real server is still up and the database is sound.
    expect((await h.admin.health()).status).toBe('ok');
    expect(h.running.services.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('answers malformed HTTP on a raw socket with 4xx and stays up', { timeout: 60_000 }, async () => {
    const { port } = h.running;
    const garbage = [
      'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
      'BREW /coffee HTCPCP/1.0\r\n\r\n',
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20000)}\r\n\r\n`,
      '\x00\x01\x02\x03\r\n\r\n',
      'POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n0123456789',
    ];
    for (let k = 0; k < 200; k++) {
      const request = garbage[k % garbage.length]!;
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let data = '';
        socket.setEncoding('latin1');
        socket.on('data', (d: string) => (data += d));
        socket.on('error', () => resolve(data));
        socket.on('close', () => resolve(data));
        socket.setTimeout(3000, () => socket.destroy());
        socket.end(request);
      });
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
      if (status) expect(Number(status), request.slice(0, 60)).toBeLessThan(500);
    }
    expect((await h.admin.health()).status).toBe('ok');
  });
});
