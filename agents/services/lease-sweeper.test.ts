import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseSweeper } from './lease-sweeper.js';
import { leaseSweepErrors } from './metrics.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sweepErrorsIn = (metrics: string) => Number(/^benchtop_lease_sweep_errors_total (\d+)$/m.exec(metrics)?.[1]);

describe('LeaseSweeper', () => {
  it('counts every failure, logs the first of a streak, a reminder and the recovery, and never rejects', async () => {
    const logged: string[] = [];
    let failing = true;
    const sweeper = new LeaseSweeper({
      sweep: async () => {
        if (failing) throw new Error('SQLITE_FULL: database or disk is full');
        return 0;
      },
      intervalMs: 1000,
      log: (m) => logged.push(m),
      remindEvery: 3,
    });
    const before = leaseSweepErrors.total;
    for (let i = 0; i < 4; i++) await sweeper.tick();
    failing = false;
    await sweeper.tick();
    await sweeper.tick();
    expect(leaseSweepErrors.total - before).toBe(4);
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatch(/^lease sweep failed \(1 in a row, one every 1000 ms\): Error: SQLITE_FULL: database or disk is full/);
    expect(logged[1]).toMatch(/^lease sweep failed \(3 in a row/);
    expect(logged[2]).toBe('lease sweep works again after 4 failures in a row');
  });

  it('does not overlap a slow sweep, and stop() waits for the one under way so the database can close after it', async () => {
    let release!: () => void;
    let started = 0;
    let finished = 0;
    const sweeper = new LeaseSweeper({
      sweep: async () => {
        started += 1;
        await new Promise<void>((r) => (release = r));
        finished += 1;
        return 0;
      },
      intervalMs: 5,
      log: () => undefined,
    });
    sweeper.start();
    for (let i = 0; i < 400 && started === 0; i += 1) await sleep(5);
    expect(started).toBe(1);
    await sleep(50);
    expect(started).toBe(1);
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(1);
    await sleep(30);
    expect(started).toBe(1);
  });
});

describe('services agent: a failing lease sweep', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('is logged and counted in /metrics, and the agent goes on sweeping: a lapsed lease is requeued', async () => {
    const logged: string[] = [];
    h = await startHarness({ leaseTtlMs: 300, sweepMs: 20, log: (m) => logged.push(m) });
    const before = sweepErrorsIn(await h.admin.metrics());
    const sweep = vi.spyOn(h.running.services.leases, 'sweep');
    sweep.mockRejectedValueOnce(new Error('database is locked')).mockRejectedValueOnce(new Error('database is locked'));
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const run = await h.researcher.createRun({ capsuleId: capsule.id });
    // A worker takes the run and dies: only the timed sweep can give the run back to the queue.
    expect((await h.worker.lease({ queue: 'cpu', workerId: 'dies' }))?.runId).toBe(run.id);
    let state = (await h.researcher.getRun(run.id)).state;
    for (let i = 0; i < 1200 && state !== 'queued'; i++) {
      await sleep(25);
      state = (await h.researcher.getRun(run.id)).state;
    }
    expect(state).toBe('queued');
    expect(sweep.mock.calls.length).toBeGreaterThan(2);
    expect(logged.filter((l) => l.startsWith('lease sweep failed'))).toEqual([expect.stringMatching(/^lease sweep failed \(1 in a row, one every 20 ms\): Error: database is locked/)]);
    expect(logged).toContain('lease sweep works again after 2 failures in a row');
    expect(sweepErrorsIn(await h.admin.metrics()) - before).toBe(2);
  });
});
