import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../lib/protocol/client.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

describe('services agent: capsules, datasets, runs, leases, results', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers health without a token', async () => {
    const health = await h.admin.health();
    expect(health.status).toBe('ok');
    expect(health.queues.cpu.queue).toBe('cpu');
  });

  it('keeps every capsule change as a commit and serves any version', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    expect(capsule.environment).toEqual({ baseImage: 'python:3.12-slim', apt: [], pip: ['numpy==2.1.0'], conda: [] });
    const first = capsule.head;
    const { commit, capsule: after } = await h.researcher.commit(capsule.id, {
      message: 'Add data folder',
      parent: first,
      files: [{ path: 'data dir/read me.txt', content: 'x' }],
      command: ['python3', 'main.py', '--fast'],
    });
    expect(commit.parents).toEqual([first]);
    expect(after.command).toEqual(['python3', 'main.py', '--fast']);
    const tree = await h.researcher.tree(capsule.id);
    expect(tree.entries.map((e) => e.path).sort()).toEqual(['command.json', 'data dir/read me.txt', 'environment.json', 'main.py']);
    expect(new TextDecoder().decode(await h.researcher.readFile(capsule.id, 'data dir/read me.txt'))).toBe('x');
    const old = await h.researcher.tree(capsule.id, first);
    expect(old.entries.map((e) => e.path)).not.toContain('data dir/read me.txt');
    const history = await h.researcher.listCommits(capsule.id);
    expect(history.items.map((c) => c.sha)).toEqual([commit.sha, first]);
    await expect(h.researcher.commit(capsule.id, { message: 'stale', parent: first })).rejects.toMatchObject({ status: 409 });
    await expect(h.researcher.commit(capsule.id, { message: 'clash', files: [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }] })).rejects.toMatchObject({ status: 400 });
    await expect(h.researcher.commit(capsule.id, { message: 'reserved', files: [{ path: 'environment.json/x', content: '1' }] })).rejects.toMatchObject({ status: 400 });
    expect((await h.researcher.getCapsule(capsule.id)).head).toBe(commit.sha);
    const archive = await h.worker.archive(capsule.id, first);
    expect(archive.headers.get('x-commit')).toBe(first);
    expect((await archive.arrayBuffer()).byteLength).toBeGreaterThan(1024);
  });

  it('addresses dataset versions by content hash', async () => {
    const ds = await h.researcher.createDataset({ name: 'iris data' });
    const bytes = new TextEncoder().encode('a,b\n1,2\n');
    await h.researcher.uploadBlob(ds.id, sha(bytes), bytes);
    await expect(h.researcher.uploadBlob(ds.id, sha('other'), bytes)).rejects.toMatchObject({ status: 400 });
    const files = [{ path: 'iris.csv', size: bytes.length, sha256: sha(bytes) }];
    const v1 = await h.researcher.createVersion(ds.id, { files });
    expect(v1.version).toBe(sha(JSON.stringify([['iris.csv', bytes.length, sha(bytes)]])));
    const again = await h.researcher.createVersion(ds.id, { files });
    expect(again.version).toBe(v1.version);
    const res = await h.worker.datasetFile(ds.id, v1.version, 'iris.csv');
    expect(await res.text()).toBe('a,b\n1,2\n');
    await expect(h.researcher.createVersion(ds.id, { files: [{ path: 'x', size: 1, sha256: sha('nope') }] })).rejects.toMatchObject({ status: 400 });
  });

  it('runs a run end to end: lease, heartbeat, logs, results, complete, compare, rerun', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const ds = (await h.researcher.listDatasets()).items[0]!;
    const created = await h.researcher.createRun({ capsuleId: capsule.id, parameters: { n: 3 }, datasets: [{ datasetId: ds.id }] });
    expect(created.state).toBe('queued');
    expect(created.datasets[0]).toMatchObject({ version: ds.latestVersion, mount: 'iris-data' });
    expect(created.waitingReason).toBe('no CPU worker online');

    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w1', instanceType: 'c7i.large', hourlyCostUsd: 0.1 });
    expect(lease?.runId).toBe(created.id);
    expect(lease!.run).toMatchObject({ commit: capsule.head, command: ['python3', 'main.py'], parameters: { n: 3 }, attempt: 1 });
    const hb = await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true });
    expect(hb.cancel).toBe(false);
    expect((await h.researcher.getRun(created.id)).state).toBe('running');

    const lines = [{ stream: 'stdout' as const, ts: Date.now(), text: 'hello' }, { stream: 'stderr' as const, ts: Date.now(), text: 'warn' }];
    expect(await h.worker.uploadLogs(lease!.leaseId, { fencingToken: lease!.fencingToken, offset: 0, lines })).toEqual({ next: 2 });
    // A retried batch overlapping what is stored adds only the new line.
    expect(await h.worker.uploadLogs(lease!.leaseId, { fencingToken: lease!.fencingToken, offset: 1, lines: [lines[1]!, { ...lines[0]!, text: 'third' }] })).toEqual({ next: 3 });
    const logs = await h.researcher.logs(created.id);
    expect(logs.items.map((l) => [l.seq, l.stream, l.text])).toEqual([[1, 'stdout', 'hello'], [2, 'stderr', 'warn'], [3, 'stdout', 'third']]);

    const csv = new TextEncoder().encode('x,y\n1,2\n');
    const entry = await h.worker.uploadResult(lease!.leaseId, 'out/table.csv', { fencingToken: lease!.fencingToken, sha256: sha(csv), body: csv });
    expect(entry).toEqual({ path: 'out/table.csv', size: csv.length, sha256: sha(csv) });
    await expect(
      h.worker.uploadResult(lease!.leaseId, 'bad.bin', { fencingToken: lease!.fencingToken, sha256: sha('x'), body: csv }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [{ path: 'missing', size: 1, sha256: sha('m') }] } }),
    ).rejects.toMatchObject({ status: 400 });
    const done = await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [entry] }, imageDigest: 'sha256:' + 'c'.repeat(64) });
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, workerInstanceType: 'c7i.large', results: { files: [entry] } });
    expect(done.costUsd).toBeGreaterThanOrEqual(0);
    // Completing again with the same body is a safe retry; the record does not change.
    expect(await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [entry] }, imageDigest: 'sha256:' + 'c'.repeat(64) })).toEqual(done);
    expect(await (await h.researcher.resultFile(created.id, 'out/table.csv')).text()).toBe('x,y\n1,2\n');
    expect((await h.researcher.logs(created.id)).done).toBe(true);

    const again = await h.researcher.rerun(created.id);
    expect(again).toMatchObject({ state: 'queued', rerunOf: created.id, commit: done.commit, command: done.command, parameters: done.parameters, datasets: done.datasets, resources: done.resources, environmentHash: done.environmentHash });
    const l2 = await h.worker.lease({ queue: 'cpu', workerId: 'w1' });
    expect(l2!.run.imageDigest).toBe(done.imageDigest);
    const other = new TextEncoder().encode('x,y\n1,3\n');
    const e2 = await h.worker.uploadResult(l2!.leaseId, 'out/table.csv', { fencingToken: l2!.fencingToken, sha256: sha(other), body: other });
    const png = new Uint8Array([137, 80, 78, 71]);
    const e3 = await h.worker.uploadResult(l2!.leaseId, 'plot.png', { fencingToken: l2!.fencingToken, sha256: sha(png), body: png });
    await h.worker.complete(l2!.leaseId, { fencingToken: l2!.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [e2, e3] } });
    expect(await h.researcher.compare(created.id, again.id)).toEqual({ identical: false, changed: ['out/table.csv'], added: ['plot.png'], removed: [] });
    expect((await h.researcher.compare(created.id, created.id)).identical).toBe(true);
  });

  it('cancels a queued run at once and a running one through its heartbeat', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const queued = await h.researcher.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    expect((await h.researcher.cancelRun(queued.id)).state).toBe('cancelled');
    const run = await h.researcher.createRun({ capsuleId: capsule.id });
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w2' });
    expect(lease!.runId).toBe(run.id);
    expect((await h.researcher.cancelRun(run.id)).cancelRequested).toBe(true);
    expect((await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken })).cancel).toBe(true);
    const done = await h.worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'cancelled', exitCode: 143 });
    expect(done).toMatchObject({ state: 'cancelled', error: 'cancelled by user' });
  });

  it('says why a run waits', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const run = await h.researcher.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    expect(run.waitingReason).toBe('no GPU worker online');
    await h.admin.setScaling('gpu', true);
    expect((await h.researcher.getRun(run.id)).waitingReason).toBe('scaling up the GPU workers');
    await h.admin.setScaling('gpu', false);
    await h.researcher.cancelRun(run.id);
  });

  it('answers unknown things with 404 and bad input with 400 naming the field', async () => {
    await expect(h.researcher.getRun('run_00000000000000000000')).rejects.toMatchObject({ status: 404, code: 'not-found' });
    const err = await h.researcher.createRun({ capsuleId: 'nope' } as never).catch((e: PlatformError) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).status).toBe(400);
    expect((err as PlatformError).message).toContain('body.capsuleId');
  });

  it('serves Prometheus metrics', async () => {
    const text = await h.admin.metrics();
    expect(text).toMatch(/benchtop_queue_depth\{queue="cpu"\} \d+/);
    expect(text).toMatch(/benchtop_runs_finished_total\{state="succeeded"\} [1-9]/);
    expect(text).toMatch(/benchtop_run_duration_seconds_count [1-9]/);
  });
});
