import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunIsolation } from '../../common/protocol/runs.js';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const container: RunIsolation = { kind: 'container', network: false, summary: 'docker container', limits: [], unlimited: [] };

describe('POST /api/v1/runs/:id/terminal', () => {
  let h: Harness;
  let ada: PlatformClient;
  let bob: PlatformClient;
  beforeAll(async () => {
    h = await startHarness();
    const client = async (name: string) => {
      const user = await h.admin.createUser({ name, role: 'researcher' });
      return createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'laptop')).token });
    };
    ada = await client('ada');
    bob = await client('bob');
  });
  afterAll(async () => {
    await h.close();
  });

  it("says which worker and container hold a running run, to its owner and an admin only, and records each opening", async () => {
    const capsule = await ada.createCapsule(exampleCapsule);
    const run = await ada.createRun({ capsuleId: capsule.id });
    await expect(ada.openRunTerminal(run.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/is queued: a terminal opens only into a running run/) });
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'i-0abc1234def567890' });
    await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true, isolation: container });

    expect(await ada.openRunTerminal(run.id)).toEqual({
      runId: run.id,
      state: 'running',
      workerId: 'i-0abc1234def567890',
      runtime: 'docker',
      containerNamePrefix: `benchtop-${run.id}-`,
      isolation: 'container',
    });
    await expect(bob.openRunTerminal(run.id)).rejects.toMatchObject({ status: 403 });
    expect((await h.admin.openRunTerminal(run.id)).workerId).toBe('i-0abc1234def567890');

    const trail = await h.admin.audit({ action: 'run.terminal-opened', targetId: run.id });
    expect(trail.items.map((e) => e.actorName)).toEqual(['admin', 'ada']);
    expect(trail.items[1]?.summary).toBe(`ada opened a terminal into run ${run.id} on i-0abc1234def567890`);
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
  });

  it('answers 404 for a run that does not exist', async () => {
    await expect(ada.openRunTerminal('run_doesnotexist')).rejects.toMatchObject({ status: 404 });
  });
});
