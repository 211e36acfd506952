import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../common/protocol/index.js';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { shellCapsule, waitFor, waitForState } from './fault-test-support.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { startWorker, type Worker } from './worker.js';

// One worker with 2 CPUs of slots runs two 1-CPU runs at once and leaves the third queued.
let dataDir: string;
let sandbox: LocalSandbox;
let client: PlatformClient;
let worker: Worker;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'benchtop-slots-'));
  sandbox = await startLocalSandbox({ dataDir, workers: 0, example: false });
  client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
  const token = readFileSync(join(dataDir, 'services', 'worker.token'), 'utf8').trim();
  worker = await startWorker({ url: sandbox.url, token, queue: 'cpu', runtime: createProcessRuntime(), workDir: join(dataDir, 'w'), workerId: 'slotted', pollWaitMs: 500, slots: { cpus: 2, memoryMb: 4096, gpus: 0 }, log: () => undefined });
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('several runs per worker', () => {
  it('runs as many runs at once as its slots hold, leaves the next queued, and drains them all', async () => {
    // Each run goes on until the test lets it end: were one to end before the other had started,
    // the third would take its place and the two would never be seen at once.
    const capsule = await shellCapsule(client, 'waiter', 'echo "$BENCHTOP_RUN_ID" > /results/id.txt\nwhile [ ! -e "$TMPDIR/go" ]; do sleep 0.1; done\n');
    const runs: Run[] = [];
    for (let i = 0; i < 3; i += 1) runs.push(await client.createRun({ capsuleId: capsule.id, resources: { cpus: 1, memoryMb: 1024 } }));
    const states = () => Promise.all(runs.map(async (r) => (await client.getRun(r.id)).state));
    const seen = await waitFor('two runs running at once', async () => {
      const now = await states();
      return now.filter((s) => s === 'running').length === 2 ? now : null;
    }, 30_000, 50);
    expect(seen.filter((s) => s === 'queued')).toHaveLength(1);
    const drained = worker.drain();
    const folders = join(dataDir, 'w', 'runs');
    for (const folder of readdirSync(folders)) writeFileSync(join(folders, folder, 'tmp', 'go'), '');
    const done = await Promise.all(runs.map((r) => waitForState(client, r.id, ['succeeded', 'failed', 'queued'], 30_000)));
    await drained;
    // Draining takes no new lease: the two running runs finish; the third is still queued.
    expect(done.map((r) => r.state).sort()).toEqual(['queued', 'succeeded', 'succeeded']);
    // Never leased, not leased and given back (which also leaves it queued, with a line in its log).
    expect((await client.logs(done.find((r) => r.state === 'queued')!.id)).items).toEqual([]);
    expect(done.filter((r) => r.state === 'succeeded').every((r) => r.workerId === 'slotted')).toBe(true);
  }, 60_000);
});
