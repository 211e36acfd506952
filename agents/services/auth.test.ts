import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

async function status(url: string, method: string, path: string, token?: string, body?: unknown): Promise<number> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

describe('auth: bearer tokens and roles', () => {
  let h: Harness;
  let capsuleId: string;
  beforeAll(async () => {
    h = await startHarness();
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(async () => {
    await h.close();
  });

  const workerRoutes = (): Array<[string, string, unknown]> => [
    ['POST', '/api/v1/leases', { queue: 'cpu', workerId: 'w' }],
    ['POST', '/api/v1/leases/lse_0000000000/heartbeat', { fencingToken: 1 }],
    ['POST', '/api/v1/leases/lse_0000000000/logs', { fencingToken: 1, offset: 0, lines: [] }],
    ['POST', '/api/v1/leases/lse_0000000000/complete', { fencingToken: 1, state: 'succeeded', exitCode: 0 }],
  ];
  const adminRoutes = (): Array<[string, string, unknown]> => [
    ['GET', '/api/v1/users', undefined],
    ['POST', '/api/v1/users', { name: 'eve', role: 'admin' }],
    ['POST', '/api/v1/queues/gpu/scaling', { scalingUp: true }],
    ['DELETE', '/api/v1/tokens/tok_0000000000', undefined],
  ];
  const researcherRoutes = (): Array<[string, string, unknown]> => [
    ['GET', '/api/v1/runs', undefined],
    ['POST', '/api/v1/runs', { capsuleId }],
    ['POST', '/api/v1/capsules', exampleCapsule],
    ['GET', '/api/v1/capsules', undefined],
  ];

  it('refuses every guarded route without a token, with a malformed header and with a wrong token', async () => {
    for (const [method, path, body] of [...workerRoutes(), ...adminRoutes(), ...researcherRoutes()]) {
      expect(await status(h.running.url, method, path, undefined, body), `${method} ${path}`).toBe(401);
      expect(await status(h.running.url, method, path, `Basic ${h.running.adminToken}`, body)).toBe(401);
      expect(await status(h.running.url, method, path, 'Bearer bt_not-a-real-token', body)).toBe(401);
    }
  });

  it('refuses worker routes to researchers and admins', async () => {
    for (const [method, path, body] of workerRoutes()) {
      expect(await status(h.running.url, method, path, `Bearer ${h.running.researcherToken}`, body), `${method} ${path}`).toBe(403);
      expect(await status(h.running.url, method, path, `Bearer ${h.running.adminToken}`, body)).toBe(403);
    }
  });

  it('refuses admin routes to workers and researchers', async () => {
    for (const [method, path, body] of adminRoutes()) {
      expect(await status(h.running.url, method, path, `Bearer ${h.running.workerToken}`, body), `${method} ${path}`).toBe(403);
      expect(await status(h.running.url, method, path, `Bearer ${h.running.researcherToken}`, body)).toBe(403);
    }
  });

  it('refuses researcher routes that change things to workers', async () => {
    for (const [method, path, body] of researcherRoutes().filter(([m]) => m === 'POST')) {
      expect(await status(h.running.url, method, path, `Bearer ${h.running.workerToken}`, body), `${method} ${path}`).toBe(403);
    }
  });

  it('lets an admin create a user and a token, and a revoked token stops working at once', async () => {
    const user = await h.admin.createUser({ name: 'ada', role: 'researcher' });
    const token = await h.admin.createToken(user.id, 'laptop');
    expect(token.token).toMatch(/^bt_/);
    expect(await status(h.running.url, 'GET', '/api/v1/me', `Bearer ${token.token}`)).toBe(200);
    const raw = h.running.services.db.prepare('SELECT hash FROM tokens WHERE id = ?').get(token.id) as { hash: string };
    expect(raw.hash).not.toContain(token.token);
    expect(raw.hash).toMatch(/^[0-9a-f]{64}$/);
    await h.admin.revokeToken(token.id);
    expect(await status(h.running.url, 'GET', '/api/v1/me', `Bearer ${token.token}`)).toBe(401);
  });
});
