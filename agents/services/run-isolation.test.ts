import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunIsolation } from '../../common/protocol/runs.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const confined: RunIsolation = { kind: 'bubblewrap', network: false, summary: 'bubblewrap: …; no network', limits: [{ resource: 'memory', value: 2048, unit: 'MB', via: 'ulimit -d' }], unlimited: [] };

describe('network and isolation on the run record', () => {
  let h: Harness;
  let capsuleId: string;
  // A lease lapses when the test moves its clock past the TTL, not when a loaded machine is slow
  // between the heartbeat and the next request (with a 1 s TTL it could lapse before it was read).
  const TTL = 60_000;
  let skew = 0;
  beforeAll(async () => {
    h = await startHarness({ leaseTtlMs: TTL, leaseClock: () => Date.now() + skew, sweepMs: 25 });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(async () => {
    await h.close();
  });

  it('gives the lease the network the run asked for (none by default), and a rerun the same', async () => {
    const offline = await h.researcher.createRun({ capsuleId });
    expect(offline.network).toBe(false);
    const online = await h.researcher.createRun({ capsuleId, network: true });
    expect((await h.worker.lease({ queue: 'cpu', workerId: 'w' }))?.run.network).toBe(false);
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
    expect(lease?.run).toMatchObject({ runId: online.id, network: true });
    expect((await h.researcher.rerun(online.id)).network).toBe(true);
  });

  it('keeps the isolation the started heartbeat reports, forgets it when the lease lapses, and keeps it once finished', async () => {
    const run = await h.researcher.createRun({ capsuleId });
    let lease = await h.worker.lease({ queue: 'cpu', workerId: 'lost' });
    while (lease && lease.runId !== run.id) lease = await h.worker.lease({ queue: 'cpu', workerId: 'lost' });
    await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true, isolation: confined });
    expect((await h.researcher.getRun(run.id)).isolation).toEqual(confined);
    skew += TTL + 1;
    for (let i = 0; i < 1200 && (await h.researcher.getRun(run.id)).state !== 'queued'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'queued', isolation: null });
    let next = await h.worker.lease({ queue: 'cpu', workerId: 'plain' });
    while (next && next.runId !== run.id) next = await h.worker.lease({ queue: 'cpu', workerId: 'plain' });
    const none: RunIsolation = { ...confined, kind: 'none', network: true, summary: 'no isolation on this machine: …' };
    const done = await h.worker.complete(next!.leaseId, { fencingToken: next!.fencingToken, state: 'succeeded', exitCode: 0, isolation: none });
    expect(done.isolation).toEqual(none);
  });
});
