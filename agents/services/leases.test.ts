import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(25);
  }
}

describe('leases: fencing, expiry, partition, idempotency', () => {
  let h: Harness;
  let capsuleId: string;
  // Leases lapse when the test moves their clock past the TTL, never because the machine was slow
  // between two requests (with a 1 s TTL a loaded machine let leases lapse mid-test).
  const TTL = 60_000;
  let skew = 0;
  const lapse = () => (skew += TTL + 1);
  beforeAll(async () => {
    h = await startHarness({ leaseTtlMs: TTL, leaseClock: () => Date.now() + skew, sweepMs: 25, maxWaitMs: 30_000 });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(async () => {
    await h.close();
  });

  it('gives each lease a larger fencing token than every lease before', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.researcher.createRun({ capsuleId });
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
      tokens.push(lease!.fencingToken);
      await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
    }
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(3);
  });

  it('partition: a worker whose heartbeats stop loses its lease, the run goes to another worker, the late complete gets 409', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const stale = await h.worker.lease({ queue: 'cpu', workerId: 'cut-off' });
    expect(stale!.runId).toBe(run.id);
    await h.worker.heartbeat(stale!.leaseId, { fencingToken: stale!.fencingToken, started: true });
    // The network drops: no more heartbeats. The lease expires and the run is queued again.
    lapse();
    const requeued = await until(() => h.researcher.getRun(run.id), (r) => r.state === 'queued');
    expect(requeued).toMatchObject({ state: 'queued', attempts: 1 });
    const fresh = await h.worker.lease({ queue: 'cpu', workerId: 'healthy', waitMs: 1000 });
    expect(fresh!.runId).toBe(run.id);
    expect(fresh!.fencingToken).toBeGreaterThan(stale!.fencingToken);
    expect(fresh!.run.attempt).toBe(2);
    // The cut-off worker comes back and tries to write: every write is refused.
    const late = { fencingToken: stale!.fencingToken };
    await expect(h.worker.heartbeat(stale!.leaseId, late)).rejects.toMatchObject({ status: 409 });
    await expect(h.worker.uploadLogs(stale!.leaseId, { ...late, offset: 0, lines: [{ stream: 'stdout', ts: 1, text: 'late' }] })).rejects.toMatchObject({ status: 409 });
    await expect(h.worker.uploadResult(stale!.leaseId, 'r.txt', { ...late, sha256: 'a'.repeat(64), body: new Uint8Array([1]) })).rejects.toMatchObject({ status: 409 });
    await expect(h.worker.complete(stale!.leaseId, { ...late, state: 'succeeded', exitCode: 0 })).rejects.toMatchObject({ status: 409 });
    // A token that is not the lease's own is refused too.
    await expect(h.worker.heartbeat(fresh!.leaseId, late)).rejects.toMatchObject({ status: 409 });
    const done = await h.worker.complete(fresh!.leaseId, { fencingToken: fresh!.fencingToken, state: 'succeeded', exitCode: 0 });
    expect(done).toMatchObject({ state: 'succeeded', workerId: 'healthy', attempts: 2 });
  });

  it('fails a run with "worker lost" after its third lost lease', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = await h.worker.lease({ queue: 'cpu', workerId: `dies-${attempt}`, waitMs: 2000 });
      expect(lease!.runId).toBe(run.id);
      expect(lease!.run.attempt).toBe(attempt);
      lapse();
      await until(() => h.researcher.getRun(run.id), (r) => r.state !== 'leased');
    }
    const lost = await h.researcher.getRun(run.id);
    expect(lost).toMatchObject({ state: 'failed', error: 'worker lost', attempts: 3 });
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'next' })).toBeNull();
  });

  it('a heartbeat keeps a lease alive past its TTL', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'steady' });
    // Three TTLs' worth of heartbeats, one every half TTL; a sweep after each would have expired it.
    for (let i = 0; i < 6; i++) {
      skew += TTL / 2;
      await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken });
      await h.running.services.leases.sweep();
    }
    expect((await h.researcher.getRun(run.id)).state).toBe('leased');
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'failed', exitCode: 1, error: 'exit 1' });
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'failed', exitCode: 1, error: 'exit 1' });
  });

  it('long-polls: a waiting worker gets a run submitted after it asked', async () => {
    const waiting = h.worker.lease({ queue: 'gpu', workerId: 'gpu-1', waitMs: 20_000 });
    expect((await until(() => h.researcher.health(), (health) => health.queues.gpu.workersOnline === 1)).queues.gpu.workersOnline).toBe(1);
    const submitted = Date.now();
    const run = await h.researcher.createRun({ capsuleId, queue: 'gpu' });
    const lease = await waiting;
    expect(lease!.runId).toBe(run.id);
    // Woken by the submission, not finding the run at its own 20 s deadline.
    expect(Date.now() - submitted).toBeLessThan(10_000);
    expect(lease!.run.resources.gpus).toBe(1);
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
    const started = Date.now();
    expect(await h.worker.lease({ queue: 'gpu', workerId: 'gpu-1', waitMs: 200 })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('a worker that hangs up mid-poll gets nothing and the run goes to a worker still waiting', async () => {
    const hangUp = new AbortController();
    // Each poll is seen by the agent (its marked agent version) before the next step, so the one
    // that hangs up was waiting, and the one that stays is waiting when the run comes.
    const polling = (version: string) => until(async () => h.running.services.presence.versions('gpu'), (versions) => versions.some((v) => v.version === version));
    const gone = h.worker.lease({ queue: 'gpu', workerId: 'leaves', waitMs: 20_000, agentVersion: 'hangs-up' }, { signal: hangUp.signal }).catch((e: Error) => e.name);
    await polling('hangs-up');
    // At its 20 s deadline a poll would find the run anyway: it must be woken well before.
    const staying = h.worker.lease({ queue: 'gpu', workerId: 'stays', waitMs: 20_000, agentVersion: 'stays' });
    await polling('stays');
    hangUp.abort();
    expect(await gone).toBe('AbortError');
    await sleep(50);
    const started = Date.now();
    const run = await h.researcher.createRun({ capsuleId, queue: 'gpu' });
    const lease = await staying;
    expect(lease!.runId).toBe(run.id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await h.researcher.getRun(run.id)).workerId).toBe('stays');
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
  });

  it('idempotency: the same key and body answer the same run, another body gets 409', async () => {
    const body = { capsuleId, parameters: { seed: 7 } };
    const results = await Promise.all(Array.from({ length: 10 }, () => h.researcher.createRun(body, { idempotencyKey: 'launch-42' })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    await expect(h.researcher.createRun({ ...body, parameters: { seed: 8 } }, { idempotencyKey: 'launch-42' })).rejects.toMatchObject({ status: 409, code: 'conflict' });
    const other = await h.researcher.createRun(body, { idempotencyKey: 'launch-43' });
    expect(other.id).not.toBe(results[0]!.id);
    // Keys belong to their user: an admin's same key is a different launch.
    const admin = await h.admin.createRun(body, { idempotencyKey: 'launch-42' });
    expect(admin.id).not.toBe(results[0]!.id);
    for (const r of [results[0]!, other]) await h.researcher.cancelRun(r.id);
    // Only who launched a run (or a PI, or an admin) may cancel it.
    await h.admin.cancelRun(admin.id);
  });

  it('keeps a finished run immutable, even against a direct database write', () => {
    const row = h.running.services.db.prepare("SELECT id FROM runs WHERE state = 'succeeded' LIMIT 1").get() as { id: string };
    expect(() => h.running.services.db.prepare("UPDATE runs SET exit_code = 9 WHERE id = ?").run(row.id)).toThrow(/immutable/);
  });
});
