import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompleteResponse, Lease } from '../../common/protocol/leases.js';
import type { BudgetReading, BudgetSource } from './budget-source.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';
import { JsonHttp } from './testing/http-json.js';
import { spawnServices } from './testing/spawn-services.js';

// Complete-and-lease-next: a completion may ask for the worker's next lease in the same request.

const next = { queue: 'cpu', workerId: 'w' } as const;
const done = (lease: Lease) => ({ fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 }) as const;

class FakeBudget implements BudgetSource {
  readonly kind = 'aws-budgets' as const;
  reading: BudgetReading = { name: 'benchtop-lab', limitUsd: 100, actualUsd: 10, forecastUsd: 10 };
  async read(): Promise<BudgetReading> {
    return { ...this.reading };
  }
}

describe('complete with next: the completion and the next lease in one request', () => {
  let h: Harness;
  let capsuleId: string;
  const budget = new FakeBudget();
  const queued = () => (h.running.services.db.prepare("SELECT id FROM runs WHERE state = 'queued' ORDER BY n").all() as Array<{ id: string }>).map((r) => r.id);
  const leasesOf = (runId: string) => h.running.services.db.prepare('SELECT id, state FROM leases WHERE run_id = ? ORDER BY n').all(runId);

  beforeAll(async () => {
    h = await startHarness({ cost: { budgetSource: budget, budgetIntervalMs: 3600_000 } });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    // Each test starts from an empty queue and leasing allowed.
    for (let lease = await h.worker.lease(next); lease; lease = await h.worker.lease(next)) await h.worker.complete(lease.leaseId, done(lease));
  });

  it('answers a worker that does not ask exactly as before: the run, no nextLease', async () => {
    const first = await h.researcher.createRun({ capsuleId });
    const second = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    const answer = await h.worker.complete(lease!.leaseId, done(lease!));
    expect(answer).toMatchObject({ id: first.id, state: 'succeeded' });
    expect('nextLease' in answer).toBe(false);
    expect(queued()).toEqual([second.id]);
  });

  it('completes the run and leases the oldest queued run to the same worker, with a larger fencing token', async () => {
    const first = await h.researcher.createRun({ capsuleId });
    const second = await h.researcher.createRun({ capsuleId, parameters: { n: 2 } });
    const third = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    const answer = await h.worker.complete(lease!.leaseId, { ...done(lease!), next: { ...next, workerId: 'w-next', instanceType: 'c6i.large' } });
    expect(answer).toMatchObject({ id: first.id, state: 'succeeded' });
    const handed = answer.nextLease!;
    expect(handed).toMatchObject({ runId: second.id, run: { attempt: 1, parameters: { n: 2 } } });
    expect(handed.fencingToken).toBeGreaterThan(lease!.fencingToken);
    expect(await h.researcher.getRun(second.id)).toMatchObject({ state: 'leased', workerId: 'w-next', workerInstanceType: 'c6i.large' });
    expect(queued()).toEqual([third.id]);
    // The handed lease is an ordinary lease: heartbeats, and completes (here leasing the last run).
    await h.worker.heartbeat(handed.leaseId, { fencingToken: handed.fencingToken, started: true });
    const last = await h.worker.complete(handed.leaseId, { ...done(handed), next });
    expect(last.nextLease?.runId).toBe(third.id);
    const empty = await h.worker.complete(last.nextLease!.leaseId, { ...done(last.nextLease!), next });
    expect(empty).toMatchObject({ id: third.id, state: 'succeeded', nextLease: null });
  });

  it('a retried completion (its answer lost) answers the same next lease, never a second one', async () => {
    const first = await h.researcher.createRun({ capsuleId });
    const second = await h.researcher.createRun({ capsuleId });
    const third = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    const body = { ...done(lease!), next };
    const lost = await h.worker.complete(lease!.leaseId, body);
    const retried = await h.worker.complete(lease!.leaseId, body);
    expect(retried).toMatchObject({ id: first.id, state: 'succeeded' });
    expect(retried.nextLease).toEqual(lost.nextLease);
    expect(retried.nextLease?.runId).toBe(second.id);
    expect(queued()).toEqual([third.id]);
    expect(leasesOf(second.id)).toHaveLength(1);
    // Once the handed lease has started, a late retry hands nothing on (the worker that started it saw it).
    await h.worker.heartbeat(lost.nextLease!.leaseId, { fencingToken: lost.nextLease!.fencingToken, started: true });
    expect((await h.worker.complete(lease!.leaseId, body)).nextLease).toBeNull();
    expect(queued()).toEqual([third.id]);
  });

  it('leases only a run that fits what the worker says it has free', async () => {
    await h.researcher.createRun({ capsuleId });
    const big = await h.researcher.createRun({ capsuleId, resources: { cpus: 4, memoryMb: 4096 } });
    const lease = await h.worker.lease(next);
    const answer = await h.worker.complete(lease!.leaseId, { ...done(lease!), next: { ...next, free: { cpus: 1, memoryMb: 1024, gpus: 0 } } });
    expect(answer).toMatchObject({ state: 'succeeded', nextLease: null });
    expect(queued()).toEqual([big.id]);
  });

  it('a stale lease gets 409 and leases nothing', async () => {
    await h.researcher.createRun({ capsuleId });
    const waiting = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    await expect(h.worker.complete(lease!.leaseId, { ...done(lease!), fencingToken: lease!.fencingToken + 1000, next })).rejects.toMatchObject({ status: 409 });
    expect(queued()).toEqual([waiting.id]);
    await h.worker.complete(lease!.leaseId, done(lease!));
  });

  it('refuses a malformed next with 400 naming the field, completing nothing', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    const http = new JsonHttp(h.running.url, h.running.workerToken);
    try {
      const res = await http.call<{ error: { message: string } }>('POST', `/api/v1/leases/${lease!.leaseId}/complete`, { ...done(lease!), next: { queue: 'cpu', workerId: 'w', waitMs: 100 } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/body\.next/);
    } finally {
      http.close();
    }
    expect((await h.researcher.getRun(run.id)).state).toBe('leased');
    await h.worker.complete(lease!.leaseId, done(lease!));
  });

  it('the budget hard stop: the run completes, nothing more is leased', async () => {
    await h.researcher.createRun({ capsuleId });
    const waiting = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    await h.admin.setBudget({ hardStop: true, basis: 'actual' });
    budget.reading = { ...budget.reading, actualUsd: 100.5 };
    expect((await h.admin.checkBudget()).paused).toBe(true);
    try {
      const answer = await h.worker.complete(lease!.leaseId, { ...done(lease!), next });
      expect(answer).toMatchObject({ state: 'succeeded', nextLease: null });
      expect(queued()).toEqual([waiting.id]);
    } finally {
      budget.reading = { ...budget.reading, actualUsd: 10 };
      await h.admin.resumeBudget();
      await h.admin.setBudget({ hardStop: false });
    }
  });
});

describe('complete with next and the local budget (the sandbox): the cost just recorded counts', () => {
  let h: Harness;
  let capsuleId: string;
  beforeAll(async () => {
    h = await startHarness({ cost: { budgetIntervalMs: 3600_000 } });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());

  async function completeAfterRunning(withNext: typeof next): Promise<CompleteResponse> {
    const lease = await h.worker.lease(next);
    await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true });
    // Long enough at the rate below to cost more than the limit.
    await new Promise((r) => setTimeout(r, 20));
    return h.worker.complete(lease!.leaseId, { ...done(lease!), next: withNext });
  }

  it('a run that cost nothing hands on under a limit; the run whose cost reaches the hard stop hands nothing on, and leasing pauses', async () => {
    await h.admin.setBudget({ limitUsd: 0.01, hardStop: true });
    await h.researcher.createRun({ capsuleId });
    const second = await h.researcher.createRun({ capsuleId });
    const free = await completeAfterRunning(next);
    expect(free).toMatchObject({ costUsd: 0, nextLease: { runId: second.id } });
    await h.worker.complete(free.nextLease!.leaseId, done(free.nextLease!));

    await h.admin.setLocalRate(10_000);
    await h.researcher.createRun({ capsuleId });
    const waiting = await h.researcher.createRun({ capsuleId });
    const priced = await completeAfterRunning(next);
    expect(priced.costUsd).toBeGreaterThan(0.01);
    expect(priced.nextLease).toBeNull();
    expect((await h.researcher.getRun(waiting.id)).state).toBe('queued');
    const deadline = Date.now() + 10_000;
    while (!(await h.researcher.budget()).paused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await h.worker.lease(next)).toBeNull();
    expect((await h.researcher.getRun(waiting.id)).waitingReason).toMatch(/budget of \$0\.01 is reached/);
  });
});

describe('complete with next when leasing the next run fails mid-transaction (failure injected in the store)', () => {
  let h: Harness;
  let capsuleId: string;
  const leasesOf = (runId: string) => h.running.services.db.prepare('SELECT id, state FROM leases WHERE run_id = ? ORDER BY n').all(runId);
  beforeAll(async () => {
    h = await startHarness();
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());

  it('a failure while leasing the next run undoes only that: the completion stands, the run stays queued untouched', async () => {
    await h.researcher.createRun({ capsuleId });
    const waiting = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease(next);
    // The hold is asked inside the next lease's savepoint, after its sweep; throwing there is a failure mid-lease.
    h.running.services.leases.setHold(() => {
      throw new Error('injected failure');
    });
    let answer: CompleteResponse;
    try {
      answer = await h.worker.complete(lease!.leaseId, { ...done(lease!), next });
    } finally {
      // This harness has no budget guard to give the hold back to.
      h.running.services.leases.setHold(() => null);
    }
    expect(answer).toMatchObject({ state: 'succeeded', nextLease: null });
    expect(await h.researcher.getRun(waiting.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(leasesOf(waiting.id)).toEqual([]);
    expect((await h.worker.lease(next))?.runId).toBe(waiting.id);
  });
});

describe('complete with next against an agent process killed after it answered', () => {
  it('the completion and the next lease survive kill -9, and the retried completion gets that same lease', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'benchtop-handoff-'));
    let agent = await spawnServices(join(dir, 'data'), ['--lease-ttl-ms', '60000', '--log-level', 'error']);
    try {
      const researcher = new JsonHttp(agent.url, agent.researcherToken);
      const capsule = await researcher.call<{ id: string }>('POST', '/api/v1/capsules', exampleCapsule);
      const runs: string[] = [];
      for (let i = 0; i < 3; i++) runs.push((await researcher.call<{ id: string }>('POST', '/api/v1/runs', { capsuleId: capsule.body.id })).body.id);
      researcher.close();
      let worker = new JsonHttp(agent.url, agent.workerToken);
      const lease = await worker.call<Lease>('POST', '/api/v1/leases', next);
      const body = { ...done(lease.body), next };
      // The answer is durable before it is sent: a crash after the commit is this answer never read.
      const first = await worker.call<CompleteResponse>('POST', `/api/v1/leases/${lease.body.leaseId}/complete`, body);
      expect(first.status).toBe(200);
      worker.close();
      await agent.stop('SIGKILL');
      agent = await spawnServices(join(dir, 'data'), ['--lease-ttl-ms', '60000', '--log-level', 'error']);
      worker = new JsonHttp(agent.url, agent.workerToken);
      try {
        const retried = await worker.call<CompleteResponse>('POST', `/api/v1/leases/${lease.body.leaseId}/complete`, body);
        expect(retried.status).toBe(200);
        expect(retried.body).toMatchObject({ id: runs[0], state: 'succeeded' });
        expect(retried.body.nextLease).toMatchObject({ runId: runs[1], leaseId: first.body.nextLease!.leaseId, fencingToken: first.body.nextLease!.fencingToken });
        // The third run was never leased: it is what the next plain lease request gets.
        const plain = await worker.call<Lease>('POST', '/api/v1/leases', next);
        expect(plain.body.runId).toBe(runs[2]);
      } finally {
        worker.close();
      }
    } finally {
      await agent.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
