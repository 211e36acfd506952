import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../common/protocol/leases.js';
import { canonicalManifest } from '../../common/protocol/datasets.js';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// A two-step pipeline through the real services agent, the test playing the worker: step 2 reads
// step 1's results under /data/<mount>; its record pins step 1 and its manifest hash; a re-run of
// step 2 reads the very same files, and produces the same results.

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
let h: Harness;

/** Leases the next run, reads each mounted dataset file as a worker does, uploads `results(files)`, completes. */
async function work(results: (mounted: Record<string, string>) => Record<string, string>): Promise<{ lease: Lease; mounted: Record<string, string> }> {
  const lease = (await h.worker.lease({ queue: 'cpu', workerId: 'w', waitMs: 2000 }))!;
  const mounted: Record<string, string> = {};
  for (const pin of lease.run.datasets) {
    const version = await h.worker.getVersion(pin.datasetId, pin.version);
    for (const f of version.files) mounted[`${pin.mount}/${f.path}`] = await (await h.worker.datasetFile(pin.datasetId, pin.version, f.path)).text();
  }
  const files = [];
  for (const [path, text] of Object.entries(results(mounted))) {
    const body = new TextEncoder().encode(text);
    files.push(await h.worker.uploadResult(lease.leaseId, path, { fencingToken: lease.fencingToken, sha256: sha(body), body }));
  }
  await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files } });
  return { lease, mounted };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('pipelines: a run takes another run\'s results as input', () => {
  it('mounts the upstream results, pins them, and re-runs identically', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const step1 = await h.researcher.createRun({ capsuleId: capsule.id });
    await work(() => ({ 'clean/a.csv': 'x\n1\n', 'clean/b.csv': 'x\n2\n', 'log.txt': 'ok' }));
    const upstream = await h.researcher.getRun(step1.id);

    const step2 = await h.researcher.createRun({ capsuleId: capsule.id, inputs: [{ runId: step1.id, path: 'clean', mount: 'prepared' }] });
    expect(step2.inputs).toEqual([
      expect.objectContaining({ runId: step1.id, path: 'clean', mount: 'prepared', manifestHash: sha(canonicalManifest(upstream.results!.files)) }),
    ]);
    expect(step2.datasets).toEqual([{ datasetId: step2.inputs[0]!.datasetId, version: step2.inputs[0]!.version, mount: 'prepared' }]);
    const sum = (m: Record<string, string>) => ({ 'sum.txt': String(Object.values(m).reduce((s, t) => s + Number(t.split('\n')[1]), 0)) });
    const first = await work(sum);
    expect(first.mounted).toEqual({ 'prepared/a.csv': 'x\n1\n', 'prepared/b.csv': 'x\n2\n' });

    const again = await h.researcher.rerun(step2.id);
    expect(again.inputs).toEqual(step2.inputs);
    expect(again.datasets).toEqual(step2.datasets);
    const second = await work(sum);
    expect(second.mounted).toEqual(first.mounted);
    expect(await h.researcher.compare(step2.id, again.id)).toMatchObject({ identical: true });

    expect((await h.researcher.downstream(step1.id)).items.map((r) => r.id)).toEqual([again.id, step2.id]);
    // The copies made for the pipeline are reached through the runs, not listed as datasets.
    expect((await h.researcher.listDatasets()).items.map((d) => d.id)).not.toContain(step2.inputs[0]!.datasetId);
  });

  it('refuses an input that has not succeeded, a missing path, and another researcher\'s private run', async () => {
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const queued = await h.researcher.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    await expect(h.researcher.createRun({ capsuleId: capsule.id, inputs: [{ runId: queued.id }] })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('only a run that succeeded') });
    const done = await h.researcher.createRun({ capsuleId: capsule.id });
    await work(() => ({ 'out.txt': '1' }));
    await expect(h.researcher.createRun({ capsuleId: capsule.id, inputs: [{ runId: done.id, path: 'nope' }] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('body.inputs.0.path') });
    const user = await h.admin.createUser({ name: 'eve', role: 'researcher' });
    const eve: PlatformClient = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id)).token });
    const own = await eve.createCapsule(exampleCapsule);
    await expect(eve.createRun({ capsuleId: own.id, inputs: [{ runId: done.id }] })).rejects.toMatchObject({ status: 403 });
    await h.researcher.cancelRun(queued.id);
  });
});
