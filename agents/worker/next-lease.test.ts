import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompleteResponse, NextLeaseRequest } from '../../common/protocol/index.js';
import { PlatformError } from '../../lib/protocol/client.js';
import { startHarness, type Harness } from '../services/testing/harness.js';
import { shellCapsule, waitForState } from './fault-test-support.js';
import { COMPLETE_RETRY, completeLease, type LeaseWriter } from './lease-writes.js';
import { NEXT_LEASE_REASK_MS, NextLeaseSupport } from './next-lease.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { startWorker, type Worker } from './worker.js';

const complete = { ...COMPLETE_RETRY, random: () => 0 };
const next: NextLeaseRequest = { queue: 'cpu', workerId: 'w' };
const finished = { id: 'run_00000000000000000001', state: 'succeeded' };
const handed = { leaseId: 'lse_00000000000000000002', runId: 'run_00000000000000000002' };

/** A platform whose answers to complete the test scripts, call by call (the last one repeats). */
function writer(answers: Array<Error | object>) {
  const bodies: Array<Record<string, unknown>> = [];
  const w: LeaseWriter = {
    leaseId: 'lse_00000000000000000001',
    fencingToken: 7,
    checkLease: () => undefined,
    client: {
      uploadResult: async () => ({}) as never,
      complete: async (_leaseId, body) => {
        bodies.push(JSON.parse(JSON.stringify(body)) as Record<string, unknown>);
        const answer = answers[Math.min(bodies.length - 1, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer as CompleteResponse;
      },
    },
  };
  return { w, bodies };
}

describe('completing with next on the worker', () => {
  it('answers the lease the platform handed on, or null', async () => {
    expect(await completeLease(writer([{ ...finished, nextLease: handed }]).w, { fencingToken: 7, state: 'succeeded', exitCode: 0, next }, complete)).toEqual(handed);
    expect(await completeLease(writer([{ ...finished, nextLease: null }]).w, { fencingToken: 7, state: 'succeeded', exitCode: 0, next }, complete)).toBeNull();
    expect(await completeLease(writer([finished]).w, { fencingToken: 7, state: 'succeeded', exitCode: 0 }, complete)).toBeNull();
  });

  it('an agent from before next refuses it (400): the same completion goes again at once without it, and the refusal is told', async () => {
    const refusals: string[] = [];
    const { w, bodies } = writer([new PlatformError(400, 'bad-input', 'body: Unrecognized key: "next"'), finished]);
    const lease = await completeLease(w, { fencingToken: 7, state: 'succeeded', exitCode: 0, next }, complete, () => refusals.push('refused'));
    expect(lease).toBeNull();
    expect(bodies).toEqual([
      { fencingToken: 7, state: 'succeeded', exitCode: 0, next },
      { fencingToken: 7, state: 'succeeded', exitCode: 0 },
    ]);
    expect(refusals).toEqual(['refused']);
  });

  it('a 400 about the record itself is not taken for an old agent: it stands, and nothing is told', async () => {
    const refusals: string[] = [];
    const { w, bodies } = writer([new PlatformError(400, 'bad-input', 'body.results.files: "a" was not uploaded')]);
    await expect(completeLease(w, { fencingToken: 7, state: 'succeeded', exitCode: 0, next }, complete, () => refusals.push('refused'))).rejects.toThrow(/was not uploaded/);
    expect(bodies).toHaveLength(2);
    expect(refusals).toEqual([]);
  });

  it('a network failure after the refusal retries without next', async () => {
    const { w, bodies } = writer([new PlatformError(400, 'bad-input', 'body: Unrecognized key: "next"'), new PlatformError(0, 'network', 'fetch failed'), finished]);
    await completeLease(w, { fencingToken: 7, state: 'succeeded', exitCode: 0, next }, complete);
    expect(bodies.map((b) => 'next' in b)).toEqual([true, false, false]);
  });

  it('asks an agent that refused again only after a while (it may have been upgraded), and says so once', () => {
    let now = 1_000;
    const support = new NextLeaseSupport(() => now);
    expect(support.worthAsking).toBe(true);
    expect(support.refused()).toBe(true);
    expect(support.worthAsking).toBe(false);
    now += NEXT_LEASE_REASK_MS - 1;
    expect(support.worthAsking).toBe(false);
    now += 1;
    expect(support.worthAsking).toBe(true);
    expect(support.refused()).toBe(false);
  });
});

interface Seen {
  nextAsked: Array<NextLeaseRequest | undefined>;
  handedRuns: string[];
}

/**
 * A loopback proxy in front of a real services agent that records each completion's `next` and
 * what it handed on; as `old`, it answers a completion with `next` as an agent from before the
 * field did (its strict body parse refused the unknown key with 400, writing nothing).
 */
async function proxy(target: string, old: boolean): Promise<{ url: string; seen: Seen; close(): Promise<void> }> {
  const seen: Seen = { nextAsked: [], handedRuns: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const completing = req.method === 'POST' && /^\/api\/v1\/leases\/[^/]+\/complete$/.test(req.url ?? '');
        const sent = completing ? (JSON.parse(body.toString('utf8')) as { next?: NextLeaseRequest }) : null;
        if (sent) seen.nextAsked.push(sent.next);
        if (old && sent?.next) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'bad-input', message: 'body: Unrecognized key: "next"' } }));
          return;
        }
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'x-fencing-token', 'x-content-sha256']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
        const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length > 0 ? { body } : {}) });
        const bytes = Buffer.from(await answer.arrayBuffer());
        if (completing && answer.status === 200) {
          const handedOn = (JSON.parse(bytes.toString('utf8')) as CompleteResponse).nextLease;
          if (handedOn) seen.handedRuns.push(handedOn.runId);
        }
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' }).end(bytes);
      })().catch((error: Error) => res.writeHead(502).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('the worker agent leasing its next run with each completion', () => {
  let h: Harness | undefined;
  let worker: Worker | undefined;
  let front: Awaited<ReturnType<typeof proxy>> | undefined;
  let workDir: string | undefined;
  afterEach(async () => {
    await worker?.drain();
    await front?.close();
    await h?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    worker = undefined;
    front = undefined;
    h = undefined;
    workDir = undefined;
  }, 60_000);

  async function setUp(old: boolean, runs: number, resources?: { cpus: number; memoryMb: number }) {
    h = await startHarness({ maxWaitMs: 500 });
    const capsule = await shellCapsule(h.researcher, 'handoff', 'echo hi');
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) ids.push((await h.researcher.createRun({ capsuleId: capsule.id, ...(resources ? { resources } : {}) })).id);
    front = await proxy(h.running.url, old);
    workDir = mkdtempSync(join(tmpdir(), 'benchtop-next-lease-'));
    return { ids, front, h };
  }

  it('without slots: every run after the first is handed on by the completion before it', async () => {
    const { ids, front: f, h: harness } = await setUp(false, 3);
    worker = await startWorker({ url: f.url, token: harness.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: workDir!, workerId: 'one-at-a-time', pollWaitMs: 500, log: () => undefined });
    for (const id of ids) expect(await waitForState(harness.researcher, id, undefined, 60_000)).toMatchObject({ state: 'succeeded', workerId: 'one-at-a-time' });
    expect(f.seen.handedRuns).toEqual(ids.slice(1));
    expect(f.seen.nextAsked).toHaveLength(3);
    expect(f.seen.nextAsked.every((n) => n?.workerId === 'one-at-a-time' && n.free === undefined)).toBe(true);
  }, 120_000);

  it('with slots: a completion asks only for what its run gives back', async () => {
    const { ids, front: f, h: harness } = await setUp(false, 4, { cpus: 1, memoryMb: 512 });
    worker = await startWorker({ url: f.url, token: harness.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: workDir!, workerId: 'slots', slots: { cpus: 2, memoryMb: 4096, gpus: 0 }, pollWaitMs: 500, log: () => undefined });
    for (const id of ids) expect(await waitForState(harness.researcher, id, undefined, 60_000)).toMatchObject({ state: 'succeeded' });
    expect(f.seen.nextAsked).toHaveLength(4);
    expect(f.seen.nextAsked.every((n) => n?.free?.cpus === 1 && n.free.memoryMb === 512 && n.free.gpus === 0)).toBe(true);
  }, 120_000);

  it('with slots: a handed-on run holds its share before the loop is woken, so the loop never leases over it', async () => {
    // Every run needs the whole pool: at most one may hold a lease at a time.
    h = await startHarness({ maxWaitMs: 500 });
    const capsule = await shellCapsule(h.researcher, 'whole-pool', 'sleep 1');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.researcher.createRun({ capsuleId: capsule.id, resources: { cpus: 2, memoryMb: 1024 } })).id);
    workDir = mkdtempSync(join(tmpdir(), 'benchtop-next-lease-'));
    worker = await startWorker({ url: h.running.url, token: h.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir, workerId: 'full-pool', slots: { cpus: 2, memoryMb: 1024, gpus: 0 }, pollWaitMs: 500, log: () => undefined });
    const runs = [];
    for (const id of ids) runs.push(await waitForState(h.researcher, id, undefined, 60_000));
    expect(runs.every((r) => r.state === 'succeeded')).toBe(true);
    const spans = runs.map((r) => [Date.parse(r.leasedAt!), Date.parse(r.finishedAt!)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }, 120_000);

  it('against an agent from before next: completes each run without it after the first refusal, and says so once', async () => {
    const { ids, front: f, h: harness } = await setUp(true, 3);
    const log: string[] = [];
    worker = await startWorker({ url: f.url, token: harness.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: workDir!, workerId: 'new-worker', pollWaitMs: 500, log: (m) => log.push(m) });
    for (const id of ids) expect(await waitForState(harness.researcher, id, undefined, 60_000)).toMatchObject({ state: 'succeeded' });
    // The first completion asked and was refused; its resend and every later completion went without.
    expect(f.seen.nextAsked.map((n) => n !== undefined)).toEqual([true, false, false, false]);
    expect(f.seen.handedRuns).toEqual([]);
    expect(log.filter((m) => /does not lease the next run with a completion/.test(m))).toHaveLength(1);
  }, 120_000);
});
