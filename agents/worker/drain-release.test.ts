import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompleteResponse } from '../../common/protocol/index.js';
import { startAgent, type AgentProcess } from '../../main/platform/child-processes.js';
import { startHarness, type Harness } from '../services/testing/harness.js';
import { FAST_WORKER, shellCapsule, waitFor, waitForState } from './fault-test-support.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { startWorker, type Worker } from './worker.js';

// A draining worker gives back the leases it will not run, and the one it stops at the end of its
// grace, so their runs go to another worker at once instead of after the lease's TTL. The leases
// here live ten minutes: a run queued again within the test was given back, it did not lapse.

const LONG_LEASES = { leaseTtlMs: 600_000, maxWaitMs: 500 };

interface Front {
  url: string;
  /** Settles with the first completion's answer, held back from the worker until `letGo()`. */
  held: Promise<CompleteResponse>;
  letGo(): void;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of the services agent that holds the first completion's answer back
 * (the completion itself is done) until told, and answers release as `releaseAnswer` says: the
 * agent's own answer, or 404 as an agent from before the route.
 */
async function front(target: string, releaseAnswer: 'agent' | 'no-route'): Promise<Front> {
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  let heldOne = false;
  let hold!: (answer: CompleteResponse) => void;
  const held = new Promise<CompleteResponse>((resolve) => (hold = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (releaseAnswer === 'no-route' && /\/release$/.test(req.url ?? '')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not-found', message: `no route POST ${req.url}` } }));
          return;
        }
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'x-fencing-token', 'x-content-sha256']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
        const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length > 0 ? { body } : {}) });
        const bytes = Buffer.from(await answer.arrayBuffer());
        if (!heldOne && /\/complete$/.test(req.url ?? '') && answer.status === 200) {
          heldOne = true;
          hold(JSON.parse(bytes.toString('utf8')) as CompleteResponse);
          await gate;
        }
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' }).end(bytes);
      })().catch((error: Error) => res.writeHead(502).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    letGo,
    close: () => new Promise<void>((resolve) => (letGo(), server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('a draining worker gives its leases back', () => {
  let h: Harness | undefined;
  let proxy: Front | undefined;
  const workers: Worker[] = [];
  const processes: AgentProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(processes.map((p) => p.stop(2_000)));
    await Promise.all(workers.map((w) => w.drain()));
    await proxy?.close();
    await h?.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    workers.length = 0;
    processes.length = 0;
    dirs.length = 0;
    proxy = undefined;
    h = undefined;
  }, 60_000);

  const workDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'benchtop-drain-release-'));
    dirs.push(dir);
    return dir;
  };
  const inProcess = async (url: string, workerId: string, log: (m: string) => void = () => undefined) => {
    const worker = await startWorker({ url, token: h!.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: workDir(), workerId, pollWaitMs: 500, log });
    workers.push(worker);
    return worker;
  };
  /** The worker agent as a process (SIGTERM drains it), its stderr in `<dir>/worker.log`. */
  const agentProcess = async (url: string, workerId: string, drainGraceMs: number) => {
    const dir = workDir();
    const logFile = join(dir, 'worker.log');
    const agent = startAgent('worker', ['--url', url, '--token-file', join(h!.dataDir, 'worker.token'), '--queue', 'cpu', '--work', join(dir, 'work'), '--worker-id', workerId, '--drain-grace-ms', String(drainGraceMs), ...FAST_WORKER], logFile);
    processes.push(agent);
    await agent.ready;
    return { agent, logged: (pattern: RegExp) => existsSync(logFile) && pattern.test(readFileSync(logFile, 'utf8')) };
  };
  const logTexts = async (runId: string) => (await h!.researcher.logs(runId)).items.map((l) => l.text);

  it('a run with one attempt, handed on by a completion as its worker got SIGTERM, runs to success on a second worker', async () => {
    h = await startHarness({ ...LONG_LEASES, maxAttempts: 1 });
    const capsule = await shellCapsule(h.researcher, 'handed on at drain', 'echo "attempt $BENCHTOP_ATTEMPT"\n');
    const first = await h.researcher.createRun({ capsuleId: capsule.id });
    const second = await h.researcher.createRun({ capsuleId: capsule.id });
    proxy = await front(h.running.url, 'agent');
    const { agent, logged } = await agentProcess(proxy.url, 'draining', 20_000);
    // The first run's completion has handed the second run on; the worker gets SIGTERM before it hears so.
    const completion = await proxy.held;
    expect(completion).toMatchObject({ id: first.id, state: 'succeeded', nextLease: { runId: second.id } });
    agent.signal('SIGTERM');
    await waitFor('the worker to begin draining', async () => logged(/draining: letting the current run finish/));
    proxy.letGo();
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(await h.researcher.getRun(second.id)).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 1, workerId: null });
    expect(await logTexts(second.id)).toEqual([
      'benchtop: worker draining gave the run back (the worker began shutting down as a completion handed this run on to it); its command had not started: the attempt does not count',
    ]);
    await inProcess(h.running.url, 'successor');
    const done = await waitForState(h.researcher, second.id, undefined, 60_000);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, workerId: 'successor' });
    expect((await logTexts(second.id)).some((t) => t === 'attempt 1')).toBe(true);
  }, 120_000);

  it('a run that outlasts the grace is stopped and given back: queued at once, its attempt counted, and another worker finishes it', async () => {
    h = await startHarness({ ...LONG_LEASES, maxAttempts: 2 });
    const capsule = await shellCapsule(h.researcher, 'handed back', 'if [ "$BENCHTOP_ATTEMPT" = 1 ]; then sleep 60; fi\necho "attempt $BENCHTOP_ATTEMPT"\n');
    const run = await h.researcher.createRun({ capsuleId: capsule.id });
    const { agent } = await agentProcess(h.running.url, 'spot', 300);
    await waitForState(h.researcher, run.id, ['running']);
    agent.signal('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'queued', attempts: 1, workerId: null });
    expect(await logTexts(run.id)).toContain('benchtop: worker spot gave the run back (the worker is shutting down and its drain grace ran out); its command had started: attempt 1 of 2 counts');
    await inProcess(h.running.url, 'successor');
    expect(await waitForState(h.researcher, run.id, undefined, 60_000)).toMatchObject({ state: 'succeeded', attempts: 2, workerId: 'successor' });
  }, 120_000);

  it('a run whose completion is under way as the grace runs out is completed, and nothing is given back for it', async () => {
    h = await startHarness(LONG_LEASES);
    const capsule = await shellCapsule(h.researcher, 'completing at drain', 'echo done\n');
    const run = await h.researcher.createRun({ capsuleId: capsule.id });
    proxy = await front(h.running.url, 'agent');
    const log: string[] = [];
    const worker = await startWorker({ url: proxy.url, token: h.running.workerToken, queue: 'cpu', runtime: createProcessRuntime(), workDir: workDir(), workerId: 'completing', pollWaitMs: 500, drainGraceMs: 0, log: (m) => log.push(m) });
    workers.push(worker);
    // The completion is done; its answer is held while the worker drains with no grace at all.
    expect(await proxy.held).toMatchObject({ id: run.id, state: 'succeeded' });
    const drained = worker.drain();
    // The grace's timer was set first, for as long: it has handed the run back once this one fires.
    await new Promise((resolve) => setTimeout(resolve, 0));
    proxy.letGo();
    await drained;
    expect(await h.researcher.getRun(run.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(log.filter((m) => /give\b.*\bback|gave lease/.test(m))).toEqual([]);
  }, 120_000);

  it('against an agent without the release route: the drain ends all the same, says so once, and the lease is left to lapse', async () => {
    h = await startHarness({ ...LONG_LEASES, maxAttempts: 1 });
    const capsule = await shellCapsule(h.researcher, 'old agent', 'echo hi\n');
    await h.researcher.createRun({ capsuleId: capsule.id });
    const second = await h.researcher.createRun({ capsuleId: capsule.id });
    proxy = await front(h.running.url, 'no-route');
    const log: string[] = [];
    const worker = await inProcess(proxy.url, 'on-old-agent', (m) => log.push(m));
    await proxy.held;
    const drained = worker.drain();
    proxy.letGo();
    await drained;
    expect(log.filter((m) => /cannot take leases back \(an older services agent\)/.test(m))).toHaveLength(1);
    // Nothing was released: the handed-on lease still holds the run until it lapses.
    expect(await h.researcher.getRun(second.id)).toMatchObject({ state: 'leased', attempts: 1, workerId: 'on-old-agent' });
  }, 120_000);
});
