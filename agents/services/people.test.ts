import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

describe('people: roles, secret parameters, who cancelled, the audit trail', () => {
  let h: Harness;
  let ada: PlatformClient;
  let adaId: string;
  beforeAll(async () => {
    h = await startHarness();
    const user = await h.admin.createUser({ name: 'ada', role: 'researcher' });
    adaId = user.id;
    ada = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'laptop')).token });
  });
  afterAll(async () => {
    await h.close();
  });

  it('never lists a secret parameter back, yet hands it to the worker and to a re-run', async () => {
    const capsule = await ada.createCapsule(exampleCapsule);
    const run = await ada.createRun({ capsuleId: capsule.id, parameters: { n: 1 }, secrets: { API_KEY: 's3cret-value' } });
    expect(run.parameters).toEqual({ n: 1 });
    expect(run.secretParameters).toEqual(['API_KEY']);
    const everywhere = JSON.stringify([await ada.getRun(run.id), await ada.listRuns(), await h.admin.audit()]);
    expect(everywhere).not.toContain('s3cret-value');
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
    expect(lease!.run.parameters).toEqual({ n: 1, API_KEY: 's3cret-value' });
    await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
    const again = await ada.rerun(run.id);
    expect(again.secretParameters).toEqual(['API_KEY']);
    const second = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
    expect(second!.run.parameters.API_KEY).toBe('s3cret-value');
    await h.worker.complete(second!.leaseId, { fencingToken: second!.fencingToken, state: 'succeeded', exitCode: 0 });
    await expect(ada.createRun({ capsuleId: capsule.id, parameters: { K: 1 }, secrets: { K: 2 } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('body.secrets.K') });
  });

  it('refuses a re-run once the dataset the run read is no longer shared with its launcher', async () => {
    const owner = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken((await h.admin.createUser({ name: 'grace', role: 'researcher' })).id, 'laptop')).token });
    const bytes = Buffer.from('a,b\n1,2\n');
    const digest = createHash('sha256').update(bytes).digest('hex');
    const dataset = await owner.createDataset({ name: 'shared for a while', visibility: 'lab' });
    await owner.uploadBlob(dataset.id, digest, bytes);
    const { version } = await owner.createVersion(dataset.id, { files: [{ path: 'a.csv', size: bytes.length, sha256: digest }] });
    const capsule = await ada.createCapsule(exampleCapsule);
    const run = await ada.createRun({ capsuleId: capsule.id, datasets: [{ datasetId: dataset.id, version }] });
    await ada.cancelRun(run.id);
    await owner.shareDataset(dataset.id, { visibility: 'private' });
    await expect(ada.rerun(run.id)).rejects.toMatchObject({ status: 403, message: expect.stringContaining(`dataset ${dataset.id} is private to "grace"`) });
  });

  it('records who cancelled a run, in the run and in the audit trail', async () => {
    const capsule = await ada.createCapsule(exampleCapsule);
    const run = await ada.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    const cancelled = await h.admin.cancelRun(run.id);
    const admin = (await h.admin.me()).user;
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelledBy: admin.id });
    const trail = await h.admin.audit({ action: 'run.cancel', targetId: run.id });
    expect(trail.items).toHaveLength(1);
    expect(trail.items[0]).toMatchObject({ actorId: admin.id, actorName: 'admin', targetKind: 'run' });
  });

  it('keeps commits, runs, sharing and role changes in an append-only trail, newest first', async () => {
    const capsule = await ada.createCapsule(exampleCapsule);
    await ada.commit(capsule.id, { message: 'Tune the model\nlonger text' });
    await ada.shareCapsule(capsule.id, { visibility: 'lab' });
    const mine = await h.admin.audit({ targetId: capsule.id });
    expect(mine.items.map((e) => e.action)).toEqual(['capsule.sharing', 'capsule.commit', 'capsule.create']);
    expect(mine.items[1]!.summary).toMatch(/^committed [0-9a-f]{12}: Tune the model$/);
    const page = await h.admin.audit({ limit: 1 });
    expect(page.next).toBeDefined();
    const next = await h.admin.audit({ limit: 1, cursor: page.next! });
    expect(next.items[0]!.seq).toBeLessThan(page.items[0]!.seq);
    expect(() => h.running.services.db.prepare('UPDATE audit SET summary = ?').run('x')).toThrow(/append-only/);
    expect(() => h.running.services.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    await expect(h.admin.audit({ cursor: 'nope' })).rejects.toMatchObject({ status: 400 });
  });

  it('changes a role at once (the cached token follows), refuses to demote the last admin, and says when a user was last seen', async () => {
    await expect(ada.audit()).rejects.toMatchObject({ status: 403 });
    const changed = await h.admin.setUserRole(adaId, 'pi');
    expect(changed.role).toBe('pi');
    expect((await ada.audit()).items.length).toBeGreaterThan(0);
    expect((await h.admin.audit({ action: 'user.role', targetId: adaId })).items[0]!.summary).toBe('changed the role of "ada" from researcher to pi');
    const admin = (await h.admin.me()).user;
    await expect(h.admin.setUserRole(admin.id, 'researcher')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('only admin') });
    const worker = (await h.worker.me()).user;
    await expect(h.admin.setUserRole(worker.id, 'admin')).rejects.toMatchObject({ status: 400 });
    await h.running.services.writes.run(() => undefined);
    const listed = (await h.admin.listUsers()).items.find((u) => u.id === adaId)!;
    expect(listed.lastSeenAt).not.toBeNull();
    expect((await h.admin.listTokens(adaId)).items[0]!.lastUsedAt).toBe(listed.lastSeenAt);
  });

  it('revokes every token of a user at once', async () => {
    const user = await h.admin.createUser({ name: 'leaver', role: 'researcher' });
    const a = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'one')).token });
    const b = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'two')).token });
    await a.me();
    const revoked = await h.admin.revokeUserTokens(user.id);
    expect(revoked.items.every((t) => t.revokedAt !== null)).toBe(true);
    await expect(a.me()).rejects.toMatchObject({ status: 401 });
    await expect(b.me()).rejects.toMatchObject({ status: 401 });
  });

  it('lists the lab\'s people (not workers) for picking collaborators, and refuses a worker as one', async () => {
    const people = (await ada.listPeople()).items;
    expect(people.map((p) => p.name)).toContain('ada');
    expect(people.some((p) => p.role === 'worker')).toBe(false);
    const capsule = await ada.createCapsule(exampleCapsule);
    const worker = (await h.worker.me()).user;
    await expect(ada.shareCapsule(capsule.id, { collaborators: [worker.id] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('body.collaborators.0') });
  });
});
