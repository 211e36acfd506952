import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './testing/harness.js';

// A GPU worker reports its GPUs with its lease requests; the queue status shows them.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const inventory = { count: 2, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA A10G', memoryMiB: 23028 }, { model: 'NVIDIA A10G', memoryMiB: 23028 }] };

describe('worker GPUs', () => {
  it('shows the GPUs a worker reported in the queue status; a worker that reports none is still valid', async () => {
    expect(await h.worker.lease({ queue: 'gpu', workerId: 'gpu-1', gpus: inventory })).toBeNull();
    expect(await h.worker.lease({ queue: 'gpu', workerId: 'old-worker' })).toBeNull();
    const health = await h.admin.health();
    expect(health.queues.gpu).toMatchObject({ workersOnline: 2, gpus: [{ model: 'NVIDIA A10G', count: 2 }] });
    expect(health.queues.cpu.gpus).toEqual([]);
    const queues = await h.admin.queues();
    expect(queues.items.find((q) => q.queue === 'gpu')?.gpus).toEqual([{ model: 'NVIDIA A10G', count: 2 }]);
  });

  it('refuses an inventory whose count does not match its list, naming the field', async () => {
    const res = await fetch(`${h.running.url}/api/v1/leases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.running.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'gpu', workerId: 'gpu-2', gpus: { ...inventory, count: 3 } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad-input');
    expect(body.error.message).toContain('count must equal the number of gpus listed');
    expect(body.error.message).toContain('gpus');
  });
});
