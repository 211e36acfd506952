import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// A capsule marked "check reproducibility": the platform re-runs its last successful run from the
// record and compares the results; the test plays the worker, whose output changes the second time.

// A check is judged after its run's completion is answered (results compared off the request):
// poll for it with room for a loaded machine (expect.poll gives up after 1 s by default).
const SETTLED = { timeout: 30_000, interval: 50 } as const;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let h: Harness;

async function work(output: string): Promise<string> {
  const lease = (await h.worker.lease({ queue: 'cpu', workerId: 'w', waitMs: 2000 }))!;
  const body = new TextEncoder().encode(output);
  const entry = await h.worker.uploadResult(lease.leaseId, 'out.txt', { fencingToken: lease.fencingToken, sha256: sha(body), body });
  await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [entry] } });
  return lease.runId;
}

beforeAll(async () => {
  h = await startHarness({ reproCheckMs: 60_000 });
});
afterAll(async () => {
  await h.close();
});

describe('scheduled reproducibility checks', () => {
  it('re-runs the last successful run, says it reproduces, then flips to diverged when the output changes', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    expect((await h.researcher.reproducibility(capsule.id)).summary).toBe('no successful run to repeat yet');
    const original = await h.researcher.createRun({ capsuleId: capsule.id, parameters: { seed: 1 } });
    await work('42');

    const started = await h.researcher.setReproducibility(capsule.id, { schedule: 'weekly' });
    expect(started).toMatchObject({ schedule: 'weekly', latest: { baselineRunId: original.id, outcome: null } });
    expect(Date.parse(started.nextCheckAt!) - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
    const check = await h.researcher.getRun(started.latest!.checkRunId);
    expect(check).toMatchObject({ rerunOf: original.id, parameters: { seed: 1 }, commit: original.commit });
    await work('42');
    await expect.poll(async () => (await h.researcher.reproducibility(capsule.id)).latest?.outcome, SETTLED).toBe('reproduces');
    expect((await h.researcher.reproducibility(capsule.id)).summary).toMatch(/^reproduces as of \d{4}-\d{2}-\d{2}$/);

    // Not due again for a week; a check asked for now repeats the original run, not the check.
    const second = await h.researcher.setReproducibility(capsule.id, { schedule: 'weekly', checkNow: true });
    expect(second.latest).toMatchObject({ baselineRunId: original.id, outcome: null });
    await work('43');
    await expect.poll(async () => (await h.researcher.reproducibility(capsule.id)).latest?.outcome, SETTLED).toBe('diverged');
    const status = await h.researcher.reproducibility(capsule.id);
    expect(status.summary).toMatch(/^diverged on \d{4}-\d{2}-\d{2}: 1 file changed$/);
    expect(await h.researcher.compare(original.id, status.latest!.checkRunId)).toMatchObject({ identical: false, changed: ['out.txt'] });
    const trail = await h.admin.audit({ action: 'capsule.diverged', targetId: capsule.id });
    expect(trail.items[0]).toMatchObject({ actorName: 'platform', detail: { notify: capsule.sharing!.ownerId, baselineRunId: original.id } });
    // The owner is told: the divergence is among their notifications, and nobody else's.
    const mine = await h.researcher.notifications();
    expect(mine.items.map((e) => [e.action, e.targetId])).toEqual([['capsule.diverged', capsule.id]]);
    expect((await h.researcher.notifications(mine.items[0]!.seq)).items).toEqual([]);
    expect((await h.admin.notifications()).items).toEqual([]);
  });

  it('starts due checks on its own timer and leaves capsules that are off alone', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    await h.researcher.createRun({ capsuleId: capsule.id });
    await work('x');
    await h.researcher.setReproducibility(capsule.id, { schedule: 'daily' });
    await work('x');
    await expect.poll(async () => (await h.researcher.reproducibility(capsule.id)).latest?.outcome, SETTLED).toBe('reproduces');
    // Due again (as if a day passed): the timer's tick starts the next check.
    h.running.services.db.prepare('UPDATE capsules SET check_next_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), capsule.id);
    await h.running.services.checks.tick();
    expect((await h.researcher.reproducibility(capsule.id)).latest?.outcome).toBeNull();
    await h.researcher.setReproducibility(capsule.id, { schedule: 'off' });
    await work('x');
    await expect.poll(async () => (await h.researcher.reproducibility(capsule.id)).latest?.outcome, SETTLED).toBe('reproduces');
    expect((await h.researcher.reproducibility(capsule.id))).toMatchObject({ schedule: 'off', nextCheckAt: null });
  });

  it('tells the owner once when a check cannot start, moves it to the next period, and still checks the other due capsules', async () => {
    const broken = await h.researcher.createCapsule({ ...exampleCapsule, name: 'unreadable secrets' });
    const brokenRun = await h.researcher.createRun({ capsuleId: broken.id });
    await work('b');
    const fine = await h.researcher.createCapsule({ ...exampleCapsule, name: 'fine' });
    await h.researcher.createRun({ capsuleId: fine.id });
    await work('f');
    const services = h.running.services;
    const due = new Date(Date.now() - 1000).toISOString();
    services.db.prepare('UPDATE capsules SET check_every_hours = 24, check_next_at = ? WHERE id IN (?, ?)').run(due, broken.id, fine.id);
    const rerun = services.runs.rerun.bind(services.runs);
    services.runs.rerun = async (id, actor) => {
      if (id === brokenRun.id) throw new Error(`secret parameter "token" of run ${id} was sealed with another key`);
      return rerun(id, actor);
    };
    try {
      await services.checks.tick();
    } finally {
      services.runs.rerun = rerun;
    }
    expect((await h.researcher.reproducibility(fine.id)).latest?.outcome).toBeNull();
    const next = Date.parse((await h.researcher.reproducibility(broken.id)).nextCheckAt!);
    expect(next - Date.now()).toBeGreaterThan(23 * 3600_000);
    const trail = await h.admin.audit({ action: 'capsule.failed', targetId: broken.id });
    expect(trail.items.map((e) => e.summary)).toEqual([`the check could not re-run ${brokenRun.id}: secret parameter "token" of run ${brokenRun.id} was sealed with another key`]);
    await services.checks.tick();
    expect((await h.admin.audit({ action: 'capsule.failed', targetId: broken.id })).items).toHaveLength(1);
    await work('f');
    await expect.poll(async () => (await h.researcher.reproducibility(fine.id)).latest?.outcome, SETTLED).toBe('reproduces');
  });

  it('starts one check when "check now" is asked twice while the first runs', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    await h.researcher.createRun({ capsuleId: capsule.id });
    await work('y');
    const first = await h.researcher.setReproducibility(capsule.id, { schedule: 'off', checkNow: true });
    const second = await h.researcher.setReproducibility(capsule.id, { schedule: 'off', checkNow: true });
    expect(second.latest!.checkRunId).toBe(first.latest!.checkRunId);
    expect(h.running.services.db.prepare('SELECT count(*) AS c FROM repro_checks WHERE capsule_id = ?').get(capsule.id)).toEqual({ c: 1 });
    await work('y');
    await expect.poll(async () => (await h.researcher.reproducibility(capsule.id)).latest?.outcome, SETTLED).toBe('reproduces');
  });
});
