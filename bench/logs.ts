import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { exampleCapsule } from '../agents/services/testing/harness.js';
import { JsonHttp } from '../agents/services/testing/http-json.js';
import { spawnServices, type ServicesProcess } from '../agents/services/testing/spawn-services.js';
import { numberOption } from './lib/number-option.js';

// Logs: a worker ships 1,000,000 lines of one run to a services agent (its own process, real
// SQLite) while one SSE subscriber follows the run; lines/s end to end (first upload → last line
// received). Then a second run at a steady 10,000 lines/s: per-line latency (written by the worker →
// received by the subscriber). The services agent's RSS is sampled throughout.
// Baseline: the same lines inserted into SQLite directly, 10,000 per transaction.
//   node --import tsx bench/logs.ts [--lines N]

const LINES = numberOption('--lines', 1_000_000);
const BATCH = 10_000;
const RATE = 10_000;
const STEADY_SECONDS = 5;

function emit(metric: string, value: number, unit: string, better: 'higher' | 'lower', extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'logs', metric, value: Math.round(value * 100) / 100, unit, better, ...extra })}\n`);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Follows a run's SSE stream, calling `onLine(seq, ts)` per line; resolves at the end event. */
function subscribe(services: ServicesProcess, runId: string, onLine: (seq: number, ts: number) => void): Promise<void> {
  const url = new URL(`${services.url}/api/v1/runs/${runId}/logs/stream`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: `Bearer ${services.researcherToken}`, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.indexOf('\ndata: ');
          if (block.startsWith('event: end') || block.includes('\nevent: end')) {
            res.destroy();
            resolve();
            return;
          }
          if (data < 0) continue;
          const line = JSON.parse(block.slice(data + 7)) as { seq: number; ts: number };
          onLine(line.seq, line.ts);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function linesOf(from: number, n: number, ts: () => number) {
  return Array.from({ length: n }, (_, i) => ({ stream: 'stdout' as const, ts: ts(), text: `step ${from + i} loss=0.${(from + i) % 997} ${'x'.repeat(24)}` }));
}

function rawSqliteLinesPerSecond(dir: string, n: number): number {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE logs (run_n INTEGER, seq INTEGER, stream INTEGER, ts REAL, text TEXT, PRIMARY KEY (run_n, seq)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO logs VALUES (1, ?, 1, ?, ?)');
  const batch = db.transaction((from: number, lines: ReturnType<typeof linesOf>) => lines.forEach((l, i) => insert.run(from + i, l.ts, l.text)));
  const started = performance.now();
  for (let from = 1; from <= n; from += BATCH) batch(from, linesOf(from, Math.min(BATCH, n - from + 1), Date.now));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return n / seconds;
}

async function startRun(researcher: JsonHttp, worker: JsonHttp, capsuleId: string) {
  const run = await researcher.call<{ id: string }>('POST', '/api/v1/runs', { capsuleId });
  const lease = await worker.call<{ leaseId: string; fencingToken: number }>('POST', '/api/v1/leases', { queue: 'cpu', workerId: 'bench' });
  return { runId: run.body.id, ...lease.body };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(process.env.BENCH_TMP ?? tmpdir(), 'benchtop-bench-logs-'));
  const services = await spawnServices(join(dir, 'data'), ['--lease-ttl-ms', '600000', '--log-level', 'error']);
  const researcher = new JsonHttp(services.url, services.researcherToken);
  const worker = new JsonHttp(services.url, services.workerToken);
  let peakRss = 0;
  const sampler = setInterval(() => void rssMb(services.child.pid!).then((mb) => (peakRss = Math.max(peakRss, mb)), () => undefined), 100);
  try {
    const capsule = await researcher.call<{ id: string }>('POST', '/api/v1/capsules', exampleCapsule);
    const upload = async (lease: { leaseId: string; fencingToken: number }, offset: number, lines: ReturnType<typeof linesOf>) => {
      const res = await worker.call<{ next: number }>('POST', `/api/v1/leases/${lease.leaseId}/logs`, { fencingToken: lease.fencingToken, offset, lines });
      if (res.status !== 200) throw new Error(`log upload answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.next;
    };
    // Warm-up run: code paths compiled before the baseline RSS is taken.
    const warm = await startRun(researcher, worker, capsule.body.id);
    await upload(warm, 0, linesOf(0, BATCH, Date.now));
    await worker.call('POST', `/api/v1/leases/${warm.leaseId}/complete`, { fencingToken: warm.fencingToken, state: 'succeeded', exitCode: 0 });
    await subscribe(services, warm.runId, () => undefined);
    const baseRss = await rssMb(services.child.pid!);
    peakRss = baseRss;

    // 1. Throughput: 1,000,000 lines, as fast as one worker can ship them.
    const bulk = await startRun(researcher, worker, capsule.body.id);
    let received = 0;
    let lastSeq = 0;
    let ordered = true;
    const started = performance.now();
    const following = subscribe(services, bulk.runId, (seq) => {
      if (seq !== lastSeq + 1) ordered = false;
      lastSeq = seq;
      received++;
    });
    for (let offset = 0; offset < LINES; ) offset = await upload(bulk, offset, linesOf(offset, Math.min(BATCH, LINES - offset), Date.now));
    await worker.call('POST', `/api/v1/leases/${bulk.leaseId}/complete`, { fencingToken: bulk.fencingToken, state: 'succeeded', exitCode: 0 });
    await following;
    const seconds = (performance.now() - started) / 1000;
    if (received !== LINES || !ordered) throw new Error(`subscriber got ${received} lines (in order: ${ordered}), expected ${LINES}`);

    // 2. Latency at a steady 10,000 lines/s: one batch every 10 ms.
    const steady = await startRun(researcher, worker, capsule.body.id);
    const latencies: number[] = [];
    const followingSteady = subscribe(services, steady.runId, (_seq, ts) => latencies.push(Date.now() - ts));
    let offset = 0;
    const t0 = Date.now();
    for (let tick = 1; Date.now() - t0 < STEADY_SECONDS * 1000; tick++) {
      const due = t0 + tick * 10;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      // A slow answer is made up in the next batch, so the offered rate stays 10,000 lines/s.
      const owed = Math.floor(((Date.now() - t0) / 1000) * RATE) - offset;
      if (owed > 0) offset = await upload(steady, offset, linesOf(offset, owed, Date.now));
    }
    await worker.call('POST', `/api/v1/leases/${steady.leaseId}/complete`, { fencingToken: steady.fencingToken, state: 'succeeded', exitCode: 0 });
    await followingSteady;
    const achievedRate = offset / ((Date.now() - t0) / 1000);
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    clearInterval(sampler);
    const baseline = rawSqliteLinesPerSecond(dir, LINES);

    emit('lines_per_second', LINES / seconds, 'lines/s', 'higher', { target: 100_000, baseline: Math.round(baseline) });
    emit('line_latency_p50_at_10k_per_s', p(0.5), 'ms', 'lower');
    emit('line_latency_p99_at_10k_per_s', p(0.99), 'ms', 'lower', { target: 100 });
    emit('steady_rate_achieved', achievedRate, 'lines/s', 'higher', { target: RATE });
    emit('services_rss_growth', peakRss - baseRss, 'MB', 'lower', { target: 100 });
  } finally {
    clearInterval(sampler);
    researcher.close();
    worker.close();
    await services.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
