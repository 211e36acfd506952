import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { FAST_WORKER, shellCapsule, waitFor, waitForState } from './fault-test-support.js';

// Two worker processes started as instances start them, with one --dataset-cache folder between them.
let dataDir: string;
let cacheDir: string;
let sandbox: LocalSandbox;
let client: PlatformClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'benchtop-shared-cache-'));
  cacheDir = join(dataDir, 'datasets-cache');
  sandbox = await startLocalSandbox({ dataDir, workers: 2, example: false, workerArgs: [...FAST_WORKER, '--dataset-cache', cacheDir, '--dataset-cache-max-mib', '64'] });
  client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const workerLogs = () => [1, 2].map((n) => join(dataDir, 'logs', `worker-${n}.log`)).map((path) => (existsSync(path) ? readFileSync(path, 'utf8') : '')).join('\n');

describe('workers sharing a dataset cache', () => {
  it('download a dataset once for runs on two workers, and leave no run folder behind', async () => {
    const content = 'x'.repeat(100_000);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const dataset = await client.createDataset({ name: 'shared' });
    await client.uploadBlob(dataset.id, sha256, new TextEncoder().encode(content));
    const version = await client.createVersion(dataset.id, { files: [{ path: 'big.txt', size: content.length, sha256 }] });
    // Each run holds its worker until both are running, so that the other run goes to the other worker.
    const capsule = await shellCapsule(client, 'reader', 'wc -c < /data/d/big.txt > /results/size.txt\nstat -c %h /data/d/big.txt > /results/links.txt\nwhile [ ! -e "$TMPDIR/go" ]; do sleep 0.1; done\n');
    const pins = [{ datasetId: dataset.id, version: version.version, mount: 'd' }];
    const runs = await Promise.all([0, 1].map(() => client.createRun({ capsuleId: capsule.id, datasets: pins })));
    await Promise.all(runs.map((run) => waitForState(client, run.id, ['running'])));
    for (const folders of [1, 2].map((n) => join(dataDir, 'workers', `w${n}`, 'runs'))) {
      for (const folder of readdirSync(folders)) writeFileSync(join(folders, folder, 'tmp', 'go'), '');
    }
    const done = await Promise.all(runs.map((run) => waitForState(client, run.id)));
    expect(done.map((r) => r.state)).toEqual(['succeeded', 'succeeded']);
    expect(new Set(done.map((r) => r.workerId))).toEqual(new Set(['sandbox-w1', 'sandbox-w2']));
    for (const run of done) {
      expect((await (await client.resultFile(run.id, 'size.txt')).text()).trim()).toBe(String(content.length));
      // A hard link to the cached blob, not a copy: the run's data folder sits next to the cache.
      expect(Number((await (await client.resultFile(run.id, 'links.txt')).text()).trim())).toBeGreaterThanOrEqual(2);
    }
    // The logs are written by this process from the agents' pipes, so a line may still be on its way.
    const downloads = await waitFor('the download in a worker log', async () => workerLogs().match(/dataset cache: downloaded /g));
    expect(downloads).toHaveLength(1);
    expect(readdirSync(join(cacheDir, 'blobs'))).toEqual([sha256]);
    // A run's folder is removed while its worker already polls again.
    const leftovers = () => [1, 2].flatMap((n) => [join(dataDir, 'workers', `w${n}`, 'runs'), join(cacheDir, 'runs', `sandbox-w${n}`)]).flatMap((dir) => (existsSync(dir) ? readdirSync(dir) : []));
    await waitFor('the run folders to be removed', async () => leftovers().length === 0);
    // Read again, later: a second download's line still on its way at the first read is here by now.
    expect(workerLogs().match(/dataset cache: downloaded /g)).toHaveLength(1);
  }, 90_000);
});
