import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCostUsd } from '../../common/cost/run-cost.js';
import type { Run } from '../../common/protocol/runs.js';
import { createPlatformClient } from '../../lib/protocol/client.js';
import type { BudgetReading, BudgetSource } from './budget-source.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const month = () => new Date().toISOString().slice(0, 7);

/** Hours the run held its worker, as the agent counts them. */
function hoursOf(run: Run): number {
  return (Date.parse(run.finishedAt!) - Date.parse(run.startedAt ?? run.leasedAt!)) / 3_600_000;
}

async function leaseAndFinish(h: Harness, request: Parameters<Harness['worker']['lease']>[0], runId: string): Promise<Run> {
  const lease = await h.worker.lease(request);
  expect(lease?.runId).toBe(runId);
  await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true });
  await new Promise((r) => setTimeout(r, 20));
  return h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
}

describe('run cost: price × hours × share, with where the price came from', () => {
  let h: Harness;
  let capsuleId: string;
  beforeAll(async () => {
    h = await startHarness({ cost: { region: 'us-east-1', budgetSource: null } });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());

  it('prices a sandbox worker at zero until a local rate is set, then at that rate', async () => {
    const free = await leaseAndFinish(h, { queue: 'cpu', workerId: 'sandbox' }, (await h.researcher.createRun({ capsuleId })).id);
    expect(free).toMatchObject({ costUsd: 0, costSource: expect.stringMatching(/no local rate set/) });

    await expect(h.researcher.setLocalRate(2)).rejects.toMatchObject({ status: 403 });
    expect(await h.admin.setLocalRate(3.6)).toEqual({ hourlyUsd: 3.6 });
    const priced = await leaseAndFinish(h, { queue: 'cpu', workerId: 'sandbox' }, (await h.researcher.createRun({ capsuleId })).id);
    expect(priced.costSource).toBe('local rate of $3.6/hour set in the app');
    expect(priced.costUsd).toBe(runCostUsd(hoursOf(priced), 3.6, 1));
    expect(priced.costUsd).toBeGreaterThan(0);
  });

  it('prices an instance type from the table, and charges a run its share of a worker with slots', async () => {
    const run = await h.researcher.createRun({ capsuleId, resources: { cpus: 1, memoryMb: 2048 } });
    const done = await leaseAndFinish(h, { queue: 'cpu', workerId: 'i-1', instanceType: 'c6i.large', purchaseOption: 'on-demand', slots: { cpus: 2, memoryMb: 8192, gpus: 0 } }, run.id);
    expect(done.costSource).toBe('Benchtop price table of 2025-06-01 (on-demand, us-east-1)');
    // One of two CPUs is the larger share (a quarter of the memory): half the instance.
    expect(done.costUsd).toBe(runCostUsd(hoursOf(done), 0.085, 0.5));
    const spot = await leaseAndFinish(h, { queue: 'cpu', workerId: 'i-2', instanceType: 'c6i.large', purchaseOption: 'spot' }, (await h.researcher.createRun({ capsuleId })).id);
    expect(spot.costSource).toMatch(/bought as spot, billed below this/);
    const unknown = await leaseAndFinish(h, { queue: 'cpu', workerId: 'i-3', instanceType: 'x9.huge' }, (await h.researcher.createRun({ capsuleId })).id);
    expect(unknown).toMatchObject({ costUsd: null, costSource: null });
    const given = await leaseAndFinish(h, { queue: 'cpu', workerId: 'i-4', instanceType: 'c6i.large', hourlyCostUsd: 1 }, (await h.researcher.createRun({ capsuleId })).id);
    expect(given.costSource).toBe("the worker's --hourly-cost");
  });

  it('rolls the month up per researcher, capsule and queue, counting unpriced runs apart', async () => {
    const byResearcher = await h.researcher.costRollup({ month: month(), by: 'researcher' });
    const runs = (await h.researcher.listRuns({ limit: 100 })).items;
    const total = runs.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
    expect(byResearcher.runs).toBe(runs.length);
    expect(byResearcher.unpricedRuns).toBe(1);
    expect(byResearcher.totalUsd).toBeCloseTo(total, 6);
    expect(byResearcher.items).toHaveLength(1);
    expect(byResearcher.items[0]).toMatchObject({ key: runs[0]!.userId, label: 'researcher', runs: runs.length });
    const byCapsule = await h.researcher.costRollup({ month: month(), by: 'capsule' });
    expect(byCapsule.items[0]).toMatchObject({ key: capsuleId, label: 'example' });
    const byQueue = await h.researcher.costRollup({ month: month(), by: 'queue' });
    expect(byQueue.items.map((i) => i.key)).toEqual(['cpu']);
    expect(byQueue.sources.map((s) => s.source)).toContain('local rate of $3.6/hour set in the app');
    const empty = await h.researcher.costRollup({ month: '2001-01', by: 'queue' });
    expect(empty).toMatchObject({ runs: 0, totalUsd: 0, items: [] });
    await expect(h.researcher.costRollup({ month: '2026-13' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/month/) });
  });

  it("shows a researcher only their own runs' cost; admins see the lab's", async () => {
    const other = await h.admin.createUser({ name: 'grace', role: 'researcher' });
    const grace = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(other.id, 'laptop')).token });
    expect(await grace.costRollup({ month: month(), by: 'capsule' })).toMatchObject({ runs: 0, totalUsd: 0, items: [], unpricedRuns: 0, sources: [] });
    const lab = await h.admin.costRollup({ month: month(), by: 'capsule' });
    expect(lab.items[0]).toMatchObject({ key: capsuleId, label: 'example' });
  });
});

class FakeBudget implements BudgetSource {
  readonly kind = 'aws-budgets' as const;
  reading: BudgetReading = { name: 'benchtop-lab', limitUsd: 100, actualUsd: 10, forecastUsd: 40 };
  failing = false;
  async read(): Promise<BudgetReading> {
    if (this.failing) throw new Error('AccessDenied');
    return { ...this.reading };
  }
}

describe('budget hard stop through the services agent', () => {
  let h: Harness;
  let capsuleId: string;
  const budget = new FakeBudget();
  const auditActions = () => (h.running.services.db.prepare("SELECT action FROM audit WHERE target_kind = 'budget' ORDER BY n").all() as Array<{ action: string }>).map((r) => r.action);
  beforeAll(async () => {
    h = await startHarness({ maxWaitMs: 20_000, cost: { budgetSource: budget, budgetIntervalMs: 3600_000 } });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(() => h.close());

  it('pauses leasing when the actual spend reaches the limit: queued runs wait with the reason, a running run finishes', async () => {
    const running = await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
    expect((await h.admin.checkBudget()).paused).toBe(false);

    budget.reading = { ...budget.reading, actualUsd: 100.5 };
    const state = await h.admin.checkBudget();
    expect(state).toMatchObject({ paused: true, source: 'aws-budgets', name: 'benchtop-lab', limitUsd: 100, actualUsd: 100.5 });
    const reason = 'paused: the monthly budget of $100 is reached; an admin can raise it or resume';
    expect(state.reason).toBe(reason);

    const waiting = await h.researcher.createRun({ capsuleId });
    expect((await h.researcher.getRun(waiting.id)).waitingReason).toBe(reason);
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'w2', waitMs: 200 })).toBeNull();
    // What was already leased goes on to the end.
    const finished = await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
    expect(finished).toMatchObject({ id: running.id, state: 'succeeded' });
    expect((await h.researcher.budget()).paused).toBe(true);
    expect(auditActions()).toEqual(['budget.pause']);
  });

  it('keeps the pause when the budget cannot be read, and says why', async () => {
    budget.failing = true;
    const state = await h.admin.checkBudget();
    expect(state).toMatchObject({ paused: true, error: expect.stringMatching(/could not read the budget: AccessDenied/) });
    budget.failing = false;
  });

  it('lets only an admin resume; leasing goes on for this month at this limit, and a long-polling worker is woken', async () => {
    await expect(h.researcher.resumeBudget()).rejects.toMatchObject({ status: 403 });
    // A poll that is already waiting when the resume comes (seen by its marked agent version), and
    // long enough that its own deadline, where it would look at the queue again, is told from a wake-up.
    const poll = h.worker.lease({ queue: 'cpu', workerId: 'w3', waitMs: 20_000, agentVersion: 'waiting-w3' });
    await vi.waitFor(() => expect(h.running.services.presence.versions('cpu')).toContainEqual({ version: 'waiting-w3', count: 1 }), { timeout: 15_000, interval: 20 });
    const resumedAt = Date.now();
    const resumed = await h.admin.resumeBudget();
    expect(resumed).toMatchObject({ paused: false, resumed: { by: 'admin', limitUsd: 100 } });
    const lease = await poll;
    expect(lease).not.toBeNull();
    expect(Date.now() - resumedAt).toBeLessThan(10_000);
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
    // The next reading over the same limit does not pause again.
    expect((await h.admin.checkBudget()).paused).toBe(false);
    expect(auditActions()).toEqual(['budget.pause', 'budget.resume']);
  });

  it('pauses again at a new limit, and goes on by itself once the limit is raised above the spend', async () => {
    budget.reading = { ...budget.reading, limitUsd: 150, actualUsd: 151 };
    expect((await h.admin.checkBudget()).reason).toBe('paused: the monthly budget of $150 is reached; an admin can raise it or resume');
    budget.reading = { ...budget.reading, limitUsd: 400 };
    expect((await h.admin.checkBudget()).paused).toBe(false);
    expect(auditActions()).toEqual(['budget.pause', 'budget.resume', 'budget.pause', 'budget.unpause']);
  });

  it('can stop on the forecast instead, and refuses a limit for a budget kept in AWS', async () => {
    budget.reading = { name: 'benchtop-lab', limitUsd: 400, actualUsd: 100, forecastUsd: 420 };
    expect((await h.admin.checkBudget()).paused).toBe(false);
    const state = await h.admin.setBudget({ basis: 'forecast' });
    expect(state).toMatchObject({ basis: 'forecast', paused: true, reason: 'paused: the monthly budget of $400 is forecast to be reached; an admin can raise it or resume' });
    await expect(h.admin.setBudget({ limitUsd: 10 })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/AWS Budgets/) });
    expect((await h.admin.setBudget({ hardStop: false })).paused).toBe(false);
  });

  it('stays paused across a restart before its first reading', async () => {
    budget.reading = { name: 'benchtop-lab', limitUsd: 50, actualUsd: 60, forecastUsd: 60 };
    await h.admin.setBudget({ hardStop: true, basis: 'actual' });
    expect((await h.admin.budget()).paused).toBe(true);
    const { BudgetGuard } = await import('./budget-guard.js');
    const again = new BudgetGuard({ db: h.running.services.db, writes: h.running.services.writes, settings: h.running.services.costAndBackups.settings, source: null, intervalMs: 1000, onResume: () => undefined });
    expect(again.holdReason()).toBe('paused: the monthly budget of $50 is reached; an admin can raise it or resume');
  });
});

describe('the local budget: a limit over the runs own costs (the sandbox)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ cost: { budgetIntervalMs: 3600_000 } });
  });
  afterAll(() => h.close());

  it('pauses right after the run whose cost reaches the limit', async () => {
    const capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
    await h.admin.setLocalRate(10_000);
    const state = await h.admin.setBudget({ limitUsd: 0.01 });
    expect(state).toMatchObject({ source: 'local', limitUsd: 0.01, paused: false, actualUsd: 0 });
    await leaseAndFinish(h, { queue: 'cpu', workerId: 'sandbox' }, (await h.researcher.createRun({ capsuleId })).id);
    const next = await h.researcher.createRun({ capsuleId });
    const deadline = Date.now() + 20_000;
    while (!(await h.researcher.budget()).paused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const paused = await h.researcher.budget();
    expect(paused).toMatchObject({ paused: true, reason: 'paused: the monthly budget of $0.01 is reached; an admin can raise it or resume' });
    expect(paused.actualUsd).toBeGreaterThanOrEqual(0.01);
    expect((await h.researcher.getRun(next.id)).waitingReason).toBe(paused.reason);
    expect((await h.admin.setBudget({ limitUsd: 1000 })).paused).toBe(false);
  });
});
