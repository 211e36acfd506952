import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../common/protocol/leases.js';
import type { LogLine } from '../../common/protocol/logs.js';
import { openDatabase } from './db.js';
import { migrations } from './migrations.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';
import { JsonHttp } from './testing/http-json.js';

// A worker gives a lease back (POST /leases/:id/release): the run is queued again at once, and a
// lease whose command never started costs the run no attempt.

const poll = (workerId: string) => ({ queue: 'cpu', workerId, waitMs: 0 }) as const;
const give = (lease: Lease, reason = 'the worker is draining') => ({ fencingToken: lease.fencingToken, reason });

describe('releasing a lease', () => {
  let h: Harness;
  let capsuleId: string;
  const leaseRow = (id: string) => h.running.services.db.prepare('SELECT state, release_reason, attempt_counted FROM leases WHERE id = ?').get(id);
  const logTexts = async (runId: string) => (await h.researcher.logs(runId)).items.map((l) => l.text);

  beforeAll(async () => {
    // Leases far longer than the test: a run queued again was released, never lapsed.
    h = await startHarness({ maxAttempts: 2, leaseTtlMs: 600_000 });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    for (let lease = await h.worker.lease(poll('sweep')); lease; lease = await h.worker.lease(poll('sweep'))) {
      await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
    }
  });

  it('a lease whose command never started: the attempt is given back, the run is queued and another worker leases it at once', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    // Released more times than the run has attempts: none of them counts.
    for (let i = 0; i < 3; i++) {
      const lease = (await h.worker.lease({ ...poll(`draining-${i}`), instanceType: 'c6i.xlarge', hourlyCostUsd: 0.17 }))!;
      expect(lease).toMatchObject({ runId: run.id, run: { attempt: 1 } });
      const answer = await h.worker.release(lease.leaseId, give(lease, 'handed on as the worker began draining'));
      expect(answer.attemptCounted).toBe(false);
      // Nothing of the worker that gave it back stays on the run, its price neither.
      expect(answer.run).toMatchObject({ id: run.id, state: 'queued', attempts: 0, workerId: null, leasedAt: null, startedAt: null });
      expect(h.running.services.db.prepare('SELECT lease_id, worker_instance_type, hourly_cost_usd, cost_share FROM runs WHERE id = ?').get(run.id)).toEqual({ lease_id: null, worker_instance_type: null, hourly_cost_usd: null, cost_share: null });
      expect(leaseRow(lease.leaseId)).toEqual({ state: 'released', release_reason: 'handed on as the worker began draining', attempt_counted: 0 });
    }
    const taken = (await h.worker.lease(poll('successor')))!;
    expect(taken).toMatchObject({ runId: run.id, run: { attempt: 1 } });
    await h.worker.heartbeat(taken.leaseId, { fencingToken: taken.fencingToken, started: true });
    const done = await h.worker.complete(taken.leaseId, { fencingToken: taken.fencingToken, state: 'succeeded', exitCode: 0 });
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, maxAttempts: 2, workerId: 'successor' });
    const lines = await logTexts(run.id);
    expect(lines.filter((t) => t.startsWith('benchtop: worker draining-'))).toEqual([0, 1, 2].map((i) => `benchtop: worker draining-${i} gave the run back (handed on as the worker began draining); its command had not started: the attempt does not count`));
  });

  it('a started run keeps its attempt counted and is queued again at once; given back in its last attempt, it fails saying so', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const lease = (await h.worker.lease(poll(`spot-${attempt}`)))!;
      expect(lease).toMatchObject({ runId: run.id, run: { attempt } });
      await h.worker.heartbeat(lease.leaseId, { fencingToken: lease.fencingToken, started: true });
      const answer = await h.worker.release(lease.leaseId, give(lease, 'stopped at the end of the drain grace'));
      expect(answer.attemptCounted).toBe(true);
      expect(leaseRow(lease.leaseId)).toMatchObject({ state: 'released', attempt_counted: 1 });
      if (attempt === 1) expect(answer.run).toMatchObject({ state: 'queued', attempts: 1 });
      else expect(answer.run).toMatchObject({ state: 'failed', attempts: 2, error: 'its worker gave it back (stopped at the end of the drain grace) during its last attempt' });
    }
    expect(await logTexts(run.id)).toContain('benchtop: worker spot-1 gave the run back (stopped at the end of the drain grace); its command had started: attempt 1 of 2 counts');
    expect(await h.worker.lease(poll('nobody'))).toBeNull();
  });

  it('a run whose cancel was asked ends cancelled instead of going back to the queue', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const lease = (await h.worker.lease(poll('draining')))!;
    await h.researcher.cancelRun(run.id);
    expect((await h.worker.release(lease.leaseId, give(lease))).run).toMatchObject({ id: run.id, state: 'cancelled' });
  });

  it('a retried release answers the same release: the attempt is given back once, one log line', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const lease = (await h.worker.lease(poll('retrying')))!;
    const first = await h.worker.release(lease.leaseId, give(lease));
    const again = await h.worker.release(lease.leaseId, give(lease));
    expect(again).toEqual(first);
    expect(again.run).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await logTexts(run.id)).filter((t) => t.includes('gave the run back'))).toHaveLength(1);
    // Once another worker holds the run, the retry still answers the release and changes nothing.
    const taken = (await h.worker.lease(poll('successor')))!;
    expect(await h.worker.release(lease.leaseId, give(lease))).toMatchObject({ attemptCounted: false, run: { state: 'leased', workerId: 'successor', attempts: 1 } });
    await h.worker.complete(taken.leaseId, { fencingToken: taken.fencingToken, state: 'succeeded', exitCode: 0 });
  });

  it('refuses, as a heartbeat does, a stale token, a lease that is over, and a lease that does not exist; writes nothing', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const lease = (await h.worker.lease(poll('w')))!;
    await expect(h.worker.release(lease.leaseId, { ...give(lease), fencingToken: lease.fencingToken + 1000 })).rejects.toMatchObject({ status: 409, code: 'conflict' });
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'leased', attempts: 1 });
    await h.worker.release(lease.leaseId, give(lease));
    // Released is over: the worker's other writes for it are refused too.
    await expect(h.worker.heartbeat(lease.leaseId, { fencingToken: lease.fencingToken })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/is released/) });
    const taken = (await h.worker.lease(poll('w2')))!;
    await h.worker.complete(taken.leaseId, { fencingToken: taken.fencingToken, state: 'succeeded', exitCode: 0 });
    await expect(h.worker.release(taken.leaseId, give(taken))).rejects.toMatchObject({ status: 409 });
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    await expect(h.worker.release('lse_00000000000000000000', { fencingToken: 1, reason: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a body without a reason or with another field with 400 naming it', async () => {
    const http = new JsonHttp(h.running.url, h.running.workerToken);
    await h.researcher.createRun({ capsuleId });
    const lease = (await h.worker.lease(poll('w')))!;
    const missing = await http.call('POST', `/api/v1/leases/${lease.leaseId}/release`, { fencingToken: lease.fencingToken });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/reason/);
    const extra = await http.call('POST', `/api/v1/leases/${lease.leaseId}/release`, { ...give(lease), state: 'failed' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).toMatch(/state/);
    expect((await h.researcher.getRun(lease.runId)).state).toBe('leased');
    await h.worker.release(lease.leaseId, give(lease));
  });

  it('is for workers only', async () => {
    await expect(h.researcher.release('lse_00000000000000000000', { fencingToken: 1, reason: 'x' })).rejects.toMatchObject({ status: 403 });
  });

  it('a lease taken for a poller that hung up meanwhile is given back at once, its attempt with it', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const hangUp = new AbortController();
    // The hold is asked inside the transaction that takes the lease: the worker hangs up right then.
    h.running.services.leases.setHold(() => (hangUp.abort(), null));
    try {
      expect(await h.running.services.leases.acquire({ ...poll('gone'), waitMs: 0 }, hangUp.signal)).toBeNull();
    } finally {
      h.running.services.leases.setHold(() => null);
    }
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await logTexts(run.id)).toContain('benchtop: worker gone gave the run back (its worker hung up before the lease reached it); its command had not started: the attempt does not count');
  });
});

describe('a lease taken over HTTP for a poller that hung up', () => {
  let h: Harness | undefined;
  afterAll(() => h?.close());

  it('is given back, and its log line reaches the log sink as a release sent by a worker does', async () => {
    // The price of the poller's instance type is looked up between the poll's check that its worker
    // is still there and the lease: the worker hangs up while that lookup is held.
    let entered!: () => void;
    const lookup = new Promise<void>((resolve) => (entered = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const sunk: Array<{ runId: string; lines: LogLine[] }> = [];
    h = await startHarness({
      leaseTtlMs: 600_000,
      cost: { region: 'us-east-1', priceList: { hourly: async () => (entered(), await answered, { hourlyUsd: 0.17, source: 'test price list' }) } },
      logSink: { write: (runId, lines) => sunk.push({ runId, lines }) },
    });
    const capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
    const run = await h.researcher.createRun({ capsuleId });
    // The services agent's side of the poll's own connection, the only one opened from here on.
    const accepted = new Promise<Socket>((resolve) => h!.running.app.server.once('connection', resolve));
    const url = new URL('/api/v1/leases', h.running.url);
    const poll = request(url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${h.running.workerToken}`, 'content-type': 'application/json' } });
    poll.on('error', () => undefined);
    poll.end(JSON.stringify({ queue: 'cpu', workerId: 'gone', waitMs: 0, instanceType: 'c6i.xlarge' }));
    const serverSide = await accepted;
    await lookup;
    const closed = new Promise<void>((resolve) => serverSide.once('close', () => resolve()));
    poll.destroy();
    // The route heard the hang-up in this same 'close' event, before the lookup is let go.
    await closed;
    answer();
    const line = 'benchtop: worker gone gave the run back (its worker hung up before the lease reached it); its command had not started: the attempt does not count';
    await expect.poll(() => sunk.flatMap((s) => s.lines.map((l) => `${s.runId} ${l.text}`)), { timeout: 20_000 }).toContain(`${run.id} ${line}`);
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'queued', attempts: 0 });
    // The sink has the line under the seq the run's own log gives it.
    const logged = (await h.researcher.logs(run.id)).items.find((l) => l.text === line)!;
    expect(sunk.flatMap((s) => s.lines).find((l) => l.text === line)).toMatchObject({ seq: logged.seq, stream: 'stderr' });
  }, 60_000);
});

describe('the leases table after the release migration', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the leases of an older database, each counted as an attempt, and takes the released state', () => {
    dir = mkdtempSync(join(tmpdir(), 'benchtop-release-migration-'));
    const file = join(dir, 'db.sqlite');
    const old = new Database(file);
    // The schema just before this migration, wherever later ones are appended.
    const at = migrations.findIndex((m) => m.includes('CREATE TABLE leases_v2'));
    expect(at).toBeGreaterThan(0);
    for (const m of migrations.slice(0, at)) old.exec(m);
    old.pragma(`user_version = ${at}`);
    old.prepare("INSERT INTO leases (id, run_id, fencing_token, worker_id, attempt, expires_at_ms, state, log_count, created_at) VALUES ('lse_old', 'run_old', 7, 'w', 2, 99, 'completed', 5, 't')").run();
    expect(() => old.prepare("UPDATE leases SET state = 'released'").run()).toThrow(/CHECK/);
    old.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT id, run_id, fencing_token, worker_id, attempt, expires_at_ms, state, log_count, release_reason, attempt_counted FROM leases').all()).toEqual([
      { id: 'lse_old', run_id: 'run_old', fencing_token: 7, worker_id: 'w', attempt: 2, expires_at_ms: 99, state: 'completed', log_count: 5, release_reason: null, attempt_counted: 1 },
    ]);
    db.prepare("UPDATE leases SET state = 'released'").run();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leases' AND sql IS NOT NULL ORDER BY name").all()).toEqual([{ name: 'leases_active' }, { name: 'leases_by_run' }]);
    db.close();
  });
});
