import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupScheduler } from './backup.js';
import { buildServer } from './server.js';
import { startServices } from './start-services.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('services agent: access, bodies, idempotency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const call = (method: string, path: string, init: { token?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${h.running.url}${path}`, { method, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });

  it('refuses a route registered without an access rule', async () => {
    const app = buildServer(h.running.services, { logger: false, bodyLimit: 1024 });
    app.get('/api/v1/forgotten', async () => ({ secret: true }));
    try {
      for (const headers of [{}, { authorization: `Bearer ${h.running.adminToken}` }]) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/forgotten', headers });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('declares no access rule') } });
      }
      expect((await app.inject({ method: 'GET', url: '/api/v1/nowhere' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('takes cancel and rerun with a JSON content type and an empty body', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const run = await h.researcher.createRun({ capsuleId: capsule.id });
    const json = { 'content-type': 'application/json' };
    const rerun = await call('POST', `/api/v1/runs/${run.id}/rerun`, { token: h.running.researcherToken, headers: json, body: '' });
    expect(rerun.status).toBe(201);
    const cancel = await call('POST', `/api/v1/runs/${run.id}/cancel`, { token: h.running.researcherToken, headers: json, body: '' });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { state: string }).state).toBe('cancelled');
    // A route that needs a body still says which one is missing.
    const create = await call('POST', '/api/v1/runs', { token: h.running.researcherToken, headers: json, body: '' });
    expect(create.status).toBe(400);
    expect(JSON.stringify(await create.json())).toContain('body');
  });

  it('answers a replayed Idempotency-Key with 200 and the original run, and forgets keys after 24 hours', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const submit = () =>
      call('POST', '/api/v1/runs', {
        token: h.running.researcherToken,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'nightly-1' },
        body: JSON.stringify({ capsuleId: capsule.id }),
      });
    const first = await submit();
    expect(first.status).toBe(201);
    const original = (await first.json()) as { id: string };
    const again = await submit();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(original.id);
    // The typed client takes the 200 the same way.
    expect((await h.researcher.createRun({ capsuleId: capsule.id }, { idempotencyKey: 'nightly-1' })).id).toBe(original.id);

    const dayAgo = new Date(Date.now() - 24 * 3600_000 - 1000).toISOString();
    h.running.services.db.prepare('UPDATE idempotency SET created_at = ? WHERE key = ?').run(dayAgo, 'nightly-1');
    const later = await submit();
    expect(later.status).toBe(201);
    expect(((await later.json()) as { id: string }).id).not.toBe(original.id);
  });
});

describe('services agent: data folder modes', () => {
  it('keeps the database, its WAL and SHM, backups, tokens and objects 0600 in 0700 folders, also in a folder that existed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'benchtop-modes-'));
    try {
      // An existing folder (a mount point, say) with wide modes and an old database and token beside.
      chmodSync(dataDir, 0o755);
      mkdirSync(join(dataDir, 'capsules'), { mode: 0o755 });
      chmodSync(join(dataDir, 'capsules'), 0o755);
      const running = await startServices({ dataDir, backup: false });
      await running.close();
      chmodSync(join(dataDir, 'benchtop.sqlite'), 0o644);
      chmodSync(join(dataDir, 'admin.token'), 0o644);
      writeFileSync(join(dataDir, 'benchtop.sqlite-wal'), '', { mode: 0o644 });
      chmodSync(join(dataDir, 'benchtop.sqlite-wal'), 0o644);
      chmodSync(dataDir, 0o755);

      const again = await startServices({ dataDir, backup: false });
      try {
        const researcher = again.researcherToken;
        const capsule = (await (
          await fetch(`${again.url}/api/v1/capsules`, {
            method: 'POST',
            headers: { authorization: `Bearer ${researcher}`, 'content-type': 'application/json' },
            body: JSON.stringify(exampleCapsule),
          })
        ).json()) as { id: string };
        const dataset = (await (
          await fetch(`${again.url}/api/v1/datasets`, { method: 'POST', headers: { authorization: `Bearer ${researcher}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'd' }) })
        ).json()) as { id: string };
        const digest = 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb';
        const put = await fetch(`${again.url}/api/v1/datasets/${dataset.id}/blobs/${digest}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${researcher}`, 'content-type': 'application/octet-stream' },
          body: 'a',
        });
        expect(put.status).toBe(201);
        expect(capsule.id).toMatch(/^cap_/);
        const backupFile = await new BackupScheduler(again.services.db, { dir: join(dataDir, 'backups'), intervalMs: 3600_000 }).backupNow();

        expect(mode(dataDir)).toBe(0o700);
        expect(mode(join(dataDir, 'capsules'))).toBe(0o700);
        expect(mode(join(dataDir, 'backups'))).toBe(0o700);
        expect(mode(join(dataDir, 'objects'))).toBe(0o700);
        for (const file of ['benchtop.sqlite', 'benchtop.sqlite-wal', 'benchtop.sqlite-shm', 'admin.token', 'worker.token', 'researcher.token']) {
          expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
        }
        expect(mode(backupFile)).toBe(0o600);
        const blobDir = join(dataDir, 'objects', 'datasets', 'blobs', digest.slice(0, 2));
        expect(mode(blobDir)).toBe(0o700);
        expect(readdirSync(blobDir).map((f) => mode(join(blobDir, f)))).toEqual([0o600]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
