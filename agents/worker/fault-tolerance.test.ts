import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, PlatformError } from '../../lib/protocol/client.js';
import { startAgent, type AgentProcess } from '../../main/platform/child-processes.js';
import { FAST_WORKER, shellCapsule, startFaultSandbox, waitFor, waitForState, type FaultSandbox } from './fault-test-support.js';
import { TIMINGS_FILE, type AttemptTimings } from './run-lease.js';

let platform: FaultSandbox;
const extraWorkers: AgentProcess[] = [];

beforeAll(async () => {
  platform = await startFaultSandbox('faults', 2);
}, 120_000);
afterAll(async () => {
  await Promise.all(extraWorkers.map((w) => w.stop(2_000)));
  await platform?.dispose();
}, 60_000);

function timings(workerDir: string): AttemptTimings[] {
  try {
    return readFileSync(join(workerDir, TIMINGS_FILE), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptTimings);
  } catch {
    return [];
  }
}

/** A worker of the gpu queue, which the sandbox's own (cpu) workers never compete for. */
async function gpuWorker(name: string, drainGraceMs: number): Promise<AgentProcess> {
  const { dataDir, sandbox } = platform;
  const worker = startAgent(
    'worker',
    ['--url', sandbox.url, '--token-file', join(dataDir, 'services', 'worker.token'), '--queue', 'gpu', '--work', join(dataDir, name), '--worker-id', name, '--drain-grace-ms', String(drainGraceMs), ...FAST_WORKER],
    join(dataDir, 'logs', `${name}.log`),
  );
  extraWorkers.push(worker);
  await worker.ready;
  return worker;
}

describe('partition', () => {
  it('a worker whose heartbeats stop loses its lease; another finishes the run and the late worker is refused', async () => {
    const { client, sandbox, dataDir } = platform;
    const capsule = await shellCapsule(client, 'partition', 'if [ "$BENCHTOP_ATTEMPT" = 1 ]; then sleep 4; fi\necho "$BENCHTOP_ATTEMPT" > /results/attempt.txt\n');
    const submitted = await client.createRun({ capsuleId: capsule.id });
    const running = await waitForState(client, submitted.id, ['running']);
    const stalled = sandbox.pids().workers.find((w) => w.workerId === running.workerId)!;
    process.kill(stalled.pid, 'SIGSTOP');
    try {
      const done = await waitForState(client, submitted.id, ['succeeded', 'failed', 'cancelled'], 30_000);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 2 });
      expect(done.workerId).not.toBe(stalled.workerId);
      expect(await (await client.resultFile(done.id, 'attempt.txt')).text()).toBe('2\n');
    } finally {
      process.kill(stalled.pid, 'SIGCONT');
    }
    // Woken up, the stalled worker's first attempt (its command ended meanwhile) is refused.
    const workDir = join(dataDir, 'workers', stalled.workerId.replace('sandbox-', ''));
    const attempt = await waitFor('the stalled worker to give up its attempt', async () => timings(workDir).find((t) => t.runId === submitted.id));
    expect(attempt.outcome).toBe('abandoned');
    expect(await client.getRun(submitted.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await (await client.resultFile(submitted.id, 'attempt.txt')).text()).toBe('2\n');
  }, 60_000);

  it('refuses the complete of an expired lease with 409 once the run was leased again', async () => {
    const { client, dataDir, sandbox } = platform;
    const worker = createPlatformClient({ url: sandbox.url, token: readFileSync(join(dataDir, 'services', 'worker.token'), 'utf8').trim() });
    const capsule = await shellCapsule(client, 'late complete', 'true\n');
    const run = await client.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    const first = await waitFor('a first lease', () => worker.lease({ queue: 'gpu', workerId: 'partitioned', waitMs: 1000 }));
    expect(first.runId).toBe(run.id);
    // No heartbeat: the lease lapses and the run is leased again with a greater fencing token.
    const second = await waitFor('a second lease', () => worker.lease({ queue: 'gpu', workerId: 'healthy', waitMs: 1000 }), 15_000);
    expect(second.runId).toBe(run.id);
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
    const late = await worker.complete(first.leaseId, { fencingToken: first.fencingToken, state: 'succeeded', exitCode: 0 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PlatformError);
    expect((late as PlatformError).status).toBe(409);
    expect(await worker.complete(second.leaseId, { fencingToken: second.fencingToken, state: 'succeeded', exitCode: 0 })).toMatchObject({ state: 'succeeded', attempts: 2 });
  }, 60_000);
});

describe('drain on SIGTERM', () => {
  it('lets the current run finish within the grace period, takes no new lease, and exits', async () => {
    const { client, dataDir } = platform;
    const worker = await gpuWorker('drain-finish', 20_000);
    // The run ends only when the test says so, once the worker is draining: a run that ended on
    // its own before the SIGTERM was handled would let the worker lease the next run.
    const capsule = await shellCapsule(client, 'drain finish', 'while [ ! -e "$TMPDIR/go" ]; do sleep 0.1; done\necho done > /results/done.txt\n');
    const run = await client.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    await waitForState(client, run.id, ['running']);
    worker.signal('SIGTERM');
    // The log file is made by its first line, which may be this one.
    const log = () => (existsSync(join(dataDir, 'logs', 'drain-finish.log')) ? readFileSync(join(dataDir, 'logs', 'drain-finish.log'), 'utf8') : '');
    await waitFor('the worker to drain', async () => log().includes('worker: SIGTERM: draining'));
    const later = await client.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    const runs = join(dataDir, 'drain-finish', 'runs');
    writeFileSync(join(runs, readdirSync(runs).find((f) => f.startsWith(`${run.id}.`))!, 'tmp', 'go'), '');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await client.getRun(run.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect((await client.getRun(later.id)).state).toBe('queued');
    // Never leased, not leased and given back (which also leaves it queued, with a line in its log).
    expect((await client.logs(later.id)).items).toEqual([]);
    await client.cancelRun(later.id);
  }, 60_000);

  it('hands a run that outlasts the grace period back to the queue, where another worker finishes it', async () => {
    const { client } = platform;
    const worker = await gpuWorker('drain-handback', 300);
    const capsule = await shellCapsule(client, 'drain hand back', 'if [ "$BENCHTOP_ATTEMPT" = 1 ]; then sleep 600; fi\necho "$BENCHTOP_ATTEMPT" > /results/attempt.txt\n');
    const run = await client.createRun({ capsuleId: capsule.id, queue: 'gpu' });
    await waitForState(client, run.id, ['running']);
    const began = Date.now();
    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // Bounded by the grace and the kill, about a second, not by the run's 600 s (the bound leaves
    // room for a loaded machine).
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(['leased', 'running', 'queued']).toContain((await client.getRun(run.id)).state);
    await gpuWorker('drain-successor', 5_000);
    const done = await waitForState(client, run.id, ['succeeded', 'failed', 'cancelled']);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, workerId: 'drain-successor' });
  }, 120_000);
});

describe('cancel', () => {
  it('reaches the worker within a heartbeat: SIGTERM, then SIGKILL for a run that ignores it', async () => {
    const { client } = platform;
    const capsule = await shellCapsule(client, 'cancel', 'trap "" TERM\necho started\nsleep 600\n');
    const run = await client.createRun({ capsuleId: capsule.id });
    await waitForState(client, run.id, ['running']);
    const asked = Date.now();
    await client.cancelRun(run.id);
    const done = await waitForState(client, run.id, ['succeeded', 'failed', 'cancelled']);
    expect(done.state).toBe('cancelled');
    // A heartbeat, the kill grace and the completion: about 1.5 s here, several on a loaded
    // machine; a cancel that waited for the run would take its 600 s.
    expect(Date.now() - asked).toBeLessThan(30_000);
  }, 60_000);
});
