import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatformClient } from '../lib/protocol/client.js';
import { TIMINGS_FILE, type AttemptTimings } from '../agents/worker/run-lease.js';
import { startLocalSandbox } from '../main/platform/local-sandbox.js';

// dispatch: submit → process-start latency and throughput of trivial runs (`true`) through a local
// sandbox with 2 workers, against bare child_process.spawn of the same command in this process.
// Both sides keep 2 runs in flight (one per worker) so latency is the platform's overhead, not
// time spent waiting in the queue. The child's start is the worker's spawn time (timings.jsonl).

const RUNS = Number(process.env.BENCH_DISPATCH_RUNS ?? 1000);
const IN_FLIGHT = 2;
const now = () => performance.timeOrigin + performance.now();

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function inFlight(count: number, total: number, one: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const began = now();
  await Promise.all(Array.from({ length: count }, async () => {
    while (next < total) await one(next++);
  }));
  return (now() - began) / 1000;
}

async function bareSpawn(): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const seconds = await inFlight(IN_FLIGHT, RUNS, () => new Promise<void>((resolve, reject) => {
    const asked = now();
    const child = spawn('true', [], { stdio: 'ignore', detached: true });
    child.once('spawn', () => latencies.push(now() - asked));
    child.once('error', reject);
    child.once('close', () => resolve());
  }));
  return { latencies, seconds };
}

interface SandboxFigures {
  latencies: number[];
  /** Submit → the worker holding the lease (queue, long poll, services). */
  toLease: number[];
  /** Lease → process start (staging, spawn: the worker's share). */
  leaseToStart: number[];
  seconds: number;
}

async function throughSandbox(): Promise<SandboxFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'benchtop-bench-dispatch-'));
  try {
    const sandbox = await startLocalSandbox({ dataDir, workers: 2, example: false });
    let submitted: Map<string, number>;
    let seconds: number;
    try {
      ({ submitted, seconds } = await submitAll(sandbox.url, sandbox.researcherToken));
    } finally {
      // A worker appends an attempt's timings only after its completion has landed, so the log
      // stream of the last runs can end before their line is written. Stopping drains every
      // worker (each finishes its attempt, journal included) before the journals are read.
      await sandbox.stop();
    }
    return figuresFrom(submitted, readTimings(dataDir), seconds);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function submitAll(url: string, token: string): Promise<{ submitted: Map<string, number>; seconds: number }> {
  const client = createPlatformClient({ url, token });
  const capsule = await client.createCapsule({
    name: 'dispatch benchmark',
    environment: { baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: [] },
    command: ['true'],
    files: [{ path: 'README.md', content: 'Runs `true`.\n' }],
  });
  const submitted = new Map<string, number>();
  const seconds = await inFlight(IN_FLIGHT, RUNS, async () => {
    const asked = now();
    const run = await client.createRun({ capsuleId: capsule.id });
    submitted.set(run.id, asked);
    // The log stream ends when the run is finished: no polling.
    for await (const event of client.streamLogs(run.id)) if (event.type === 'end' && event.state !== 'succeeded') throw new Error(`run ${run.id} ${event.state}`);
  });
  return { submitted, seconds };
}

function readTimings(dataDir: string): Map<string, AttemptTimings> {
  const attempts = new Map<string, AttemptTimings>();
  for (const worker of readdirSync(join(dataDir, 'workers'))) {
    for (const line of readFileSync(join(dataDir, 'workers', worker, TIMINGS_FILE), 'utf8').trim().split('\n')) {
      const t = JSON.parse(line) as AttemptTimings;
      if (t.spawnedAt !== null) attempts.set(t.runId, t);
    }
  }
  return attempts;
}

function figuresFrom(submitted: Map<string, number>, attempts: Map<string, AttemptTimings>, seconds: number): SandboxFigures {
  const figures: SandboxFigures = { latencies: [], toLease: [], leaseToStart: [], seconds };
  for (const [id, asked] of submitted) {
    const attempt = attempts.get(id);
    if (!attempt?.spawnedAt) throw new Error(`no spawn time recorded for run ${id}`);
    figures.latencies.push(attempt.spawnedAt - asked);
    figures.toLease.push(attempt.leasedAt - asked);
    figures.leaseToStart.push(attempt.spawnedAt - attempt.leasedAt);
  }
  return figures;
}

const baseline = await bareSpawn();
const platform = await throughSandbox();
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const figure = (metric: string, value: number, unit: string, better: 'lower' | 'higher', extra: Record<string, number> = {}) =>
  process.stdout.write(`${JSON.stringify({ bench: 'dispatch', metric, value: round(value), unit, better, ...extra })}\n`);

const p50 = percentile(platform.latencies, 50);
const p99 = percentile(platform.latencies, 99);
const b50 = percentile(baseline.latencies, 50);
const b99 = percentile(baseline.latencies, 99);
figure('submit_to_start_p50', p50, 'ms', 'lower', { baseline: round(b50) });
figure('submit_to_start_p99', p99, 'ms', 'lower', { baseline: round(b99) });
figure('overhead_p50', p50 - b50, 'ms', 'lower', { target: 25 });
figure('overhead_p99', p99 - b99, 'ms', 'lower', { target: 100 });
figure('submit_to_lease_p50', percentile(platform.toLease, 50), 'ms', 'lower');
figure('lease_to_start_p50', percentile(platform.leaseToStart, 50), 'ms', 'lower');
figure('runs_per_second', RUNS / platform.seconds, 'runs/s', 'higher', { baseline: round(RUNS / baseline.seconds) });
figure('throughput_ratio', RUNS / platform.seconds / (RUNS / baseline.seconds), 'ratio', 'higher');
