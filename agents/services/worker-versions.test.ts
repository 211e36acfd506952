import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Presence } from './presence.js';
import { startHarness, type Harness } from './testing/harness.js';

// Workers announce their agent version with each lease request, so the app can tell an admin
// which workers still run another version than the stack installed.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('worker versions', () => {
  it('counts the online workers of each queue by the version they announced; a worker that sends none is still valid', async () => {
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'w-new-1', agentVersion: '0.2.0' })).toBeNull();
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'w-new-2', agentVersion: '0.2.0' })).toBeNull();
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'w-old', agentVersion: '0.1.0' })).toBeNull();
    expect(await h.worker.lease({ queue: 'cpu', workerId: 'w-older' })).toBeNull();
    const health = await h.admin.health();
    expect(health.queues.cpu).toMatchObject({ workersOnline: 4, workerVersions: [{ version: '0.1.0', count: 1 }, { version: '0.2.0', count: 2 }] });
    expect(health.queues.gpu.workerVersions).toEqual([]);
  });

  it('keeps a worker\'s version across requests that do not repeat it, and forgets it once the worker is offline', () => {
    let now = 0;
    const presence = new Presence(1000, 100, () => now);
    presence.seen('w1', 'cpu', undefined, '0.2.0');
    now = 900;
    presence.seen('w1', 'cpu');
    expect(presence.versions('cpu')).toEqual([{ version: '0.2.0', count: 1 }]);
    now = 2000;
    expect(presence.versions('cpu')).toEqual([]);
  });
});
