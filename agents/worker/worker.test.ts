import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { shellCapsule, waitForState } from './fault-test-support.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { probeBubblewrap } from './runtimes/bubblewrap.js';
import { startWorker, type Worker } from './worker.js';

// The worker in this process against a real services agent: what a run sees and what comes back.
let dataDir: string;
let sandbox: LocalSandbox;
let client: PlatformClient;
let worker: Worker;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'benchtop-worker-'));
  sandbox = await startLocalSandbox({ dataDir, workers: 0, example: false });
  client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
  const token = readFileSync(join(dataDir, 'services', 'worker.token'), 'utf8').trim();
  worker = await startWorker({ url: sandbox.url, token, queue: 'cpu', runtime: createProcessRuntime(), workDir: join(dataDir, 'w'), workerId: 'in-process', pollWaitMs: 1000, log: () => undefined });
}, 120_000);
afterAll(async () => {
  await worker?.drain();
  await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function uploadDataset(name: string, files: Record<string, string>) {
  const dataset = await client.createDataset({ name });
  const entries = [];
  for (const [path, content] of Object.entries(files)) {
    const bytes = new TextEncoder().encode(content);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await client.uploadBlob(dataset.id, sha256, bytes);
    entries.push({ path, size: bytes.length, sha256 });
  }
  return { dataset, version: await client.createVersion(dataset.id, { files: entries }) };
}

describe('worker agent', () => {
  it('refuses a token that is not a worker token', async () => {
    await expect(startWorker({ url: sandbox.url, token: sandbox.researcherToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: join(dataDir, 'x') })).rejects.toThrow(/a worker needs a worker token/);
  });

  it('stages the commit and dataset versions read-only, passes parameters, uploads results with sha256', async () => {
    const { dataset, version } = await uploadDataset('numbers', { 'values.txt': '3\n4\n5\n', 'nested/readme.txt': 'hi\n' });
    const capsule = await shellCapsule(
      client,
      'staging',
      [
        'total=0; for n in $(cat /data/nums/values.txt); do total=$((total + n)); done',
        'echo "sum=$total scale=$PARAM_scale" > /results/sum.txt',
        'cat /data/nums/nested/readme.txt',
        'mkdir -p /results/deep && echo "$PARAMETERS" > /results/deep/params.json',
        'touch /code/new 2>/dev/null && echo CODE_WRITABLE',
        'touch /data/nums/new 2>/dev/null && echo DATA_WRITABLE',
        'echo to-stderr >&2',
        'exit 0',
      ].join('\n'),
    );
    const run = await client.createRun({ capsuleId: capsule.id, parameters: { scale: 2 }, datasets: [{ datasetId: dataset.id, version: version.version, mount: 'nums' }] });
    const done = await waitForState(client, run.id);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, workerId: 'in-process' });
    expect(done.startedAt).not.toBeNull();
    const sum = 'sum=12 scale=2\n';
    const params = '{"scale":2}\n';
    expect(done.results?.files).toEqual([
      { path: 'deep/params.json', size: params.length, sha256: createHash('sha256').update(params).digest('hex') },
      { path: 'sum.txt', size: sum.length, sha256: createHash('sha256').update(sum).digest('hex') },
    ]);
    expect(await (await client.resultFile(run.id, 'sum.txt')).text()).toBe(sum);
    const logs = (await client.logs(run.id)).items;
    // stdout and stderr are separate pipes, so only each stream's own order is defined.
    const lines = logs.map((l) => [l.stream, l.text]);
    expect(lines[0]).toEqual(['stderr', expect.stringMatching(/^benchtop: attempt 1 on in-process: process \(.+\), environment [0-9a-f]{12} \(host programs; the spec is recorded, not installed\)$/)]);
    expect(lines[1]).toEqual(['stderr', expect.stringMatching(/^benchtop: isolation: /)]);
    if (probeBubblewrap()) expect(lines).toHaveLength(4);
    expect(lines).toEqual(expect.arrayContaining([['stdout', 'hi'], ['stderr', 'to-stderr']]));
  });

  it('fails a run whose command fails, keeping what it wrote, and says why', async () => {
    const capsule = await shellCapsule(client, 'failing', 'echo partial > /results/partial.txt\nexit 3\n');
    const done = await waitForState(client, (await client.createRun({ capsuleId: capsule.id })).id);
    expect(done).toMatchObject({ state: 'failed', exitCode: 3, error: 'the command exited with code 3' });
    expect(done.results?.files.map((f) => f.path)).toEqual(['partial.txt']);
  });

  it('fails a run that outlives its timeout', async () => {
    const capsule = await shellCapsule(client, 'slow', 'sleep 30\n');
    const done = await waitForState(client, (await client.createRun({ capsuleId: capsule.id, resources: { timeoutSeconds: 1 } })).id, undefined, 20_000);
    expect(done).toMatchObject({ state: 'failed', error: 'timed out after 1 s' });
  });

  it.runIf(probeBubblewrap())('gives a run no network unless it or its capsule asks for it', async () => {
    const script = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > /results/interfaces.txt\n";
    const interfaces = async (run: { id: string }) => (await (await client.resultFile((await waitForState(client, run.id)).id, 'interfaces.txt')).text()).trim().split('\n');
    const plain = await shellCapsule(client, 'offline', script);
    expect(await interfaces(await client.createRun({ capsuleId: plain.id }))).toEqual(['lo']);
    expect((await interfaces(await client.createRun({ capsuleId: plain.id, network: true }))).length).toBeGreaterThan(1);
    const online = await client.createCapsule({
      name: 'online',
      environment: { baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: [], network: true },
      command: ['sh', '/code/run.sh'],
      files: [{ path: 'run.sh', content: script }],
    });
    const asked = await client.createRun({ capsuleId: online.id });
    expect(asked.network).toBe(true);
    expect((await interfaces(asked)).length).toBeGreaterThan(1);
    const declined = await client.createRun({ capsuleId: online.id, network: false });
    expect(declined.network).toBe(false);
    expect(await interfaces(declined)).toEqual(['lo']);
  });
});
