import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// A worker running other runs asks only for what it has free.
let h: Harness;
let capsuleId: string;
beforeAll(async () => {
  h = await startHarness({ maxWaitMs: 60_000 });
  capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
});
afterAll(async () => {
  await h.close();
});

async function finish(lease: { leaseId: string; fencingToken: number } | null) {
  if (lease) await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
}

describe('leases that fit a busy worker', () => {
  it('skips queued runs bigger than what the worker has free, and an idle worker takes any run', async () => {
    const big = await h.researcher.createRun({ capsuleId, resources: { cpus: 4, memoryMb: 8192 } });
    const small = await h.researcher.createRun({ capsuleId, resources: { cpus: 1, memoryMb: 1024 } });
    const busy = await h.worker.lease({ queue: 'cpu', workerId: 'busy', free: { cpus: 2, memoryMb: 4096, gpus: 0 } });
    expect(busy?.runId).toBe(small.id);
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'busy', free: { cpus: 2, memoryMb: 4096, gpus: 0 } })).toBeNull();
    const idle = await h.worker.lease({ queue: 'cpu', workerId: 'idle' });
    expect(idle?.runId).toBe(big.id);
    await finish(busy);
    await finish(idle);
  });

  it('passes a wake-up for a run that does not fit on to the next waiting worker', async () => {
    // The busy worker waits first, so it is woken first; the idle one would otherwise wait its full minute.
    const busy = h.worker.lease({ queue: 'cpu', workerId: 'busy', free: { cpus: 0.5, memoryMb: 512, gpus: 0 }, waitMs: 3000 });
    await new Promise((r) => setTimeout(r, 100));
    const idle = h.worker.lease({ queue: 'cpu', workerId: 'idle', waitMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    const run = await h.researcher.createRun({ capsuleId });
    const lease = await idle;
    expect(lease?.runId).toBe(run.id);
    expect(await busy).toBeNull();
    await finish(lease);
  }, 20_000);

  it('refuses a free capacity that is not numbers, naming the field', async () => {
    const res = await fetch(`${h.running.url}/api/v1/leases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.running.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'cpu', workerId: 'w', free: { cpus: 'all' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('free');
  });
});
