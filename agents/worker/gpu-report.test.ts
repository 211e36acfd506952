import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { waitFor } from './fault-test-support.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { startWorker, type Worker } from './worker.js';

// The worker sends its runtime's GPU inventory with each lease request; the platform lists it.
let dataDir: string;
let sandbox: LocalSandbox;
let worker: Worker | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'benchtop-gpu-report-'));
  sandbox = await startLocalSandbox({ dataDir, workers: 0, example: false });
}, 120_000);
afterAll(async () => {
  await worker?.drain();
  await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('GPU report', () => {
  it('a GPU worker registers with its GPUs, shown on the queue', async () => {
    const gpus = { count: 1, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA A10G', memoryMiB: 23028 }] };
    const token = readFileSync(join(dataDir, 'services', 'worker.token'), 'utf8').trim();
    worker = await startWorker({ url: sandbox.url, token, queue: 'gpu', runtime: { ...createProcessRuntime(), gpus }, workDir: join(dataDir, 'w'), workerId: 'gpu-in-process', pollWaitMs: 500, log: () => undefined });
    const client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
    const gpu = await waitFor('the GPU queue to list the worker', async () => {
      const queue = (await client.health()).queues.gpu;
      return queue.workersOnline > 0 ? queue : null;
    }, 10_000);
    expect(gpu.gpus).toEqual([{ model: 'NVIDIA A10G', count: 1 }]);
  }, 30_000);
});
