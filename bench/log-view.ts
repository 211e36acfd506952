import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { createPlatformClient, type PlatformClient } from '../lib/protocol/client.js';
import type { Lease } from '../common/protocol/index.js';
import { startServices } from '../agents/services/start-services.js';
import { createAppRouter, packageVersion } from '../main/app-router.js';
import { startHost } from '../main/host/host-server.js';
import { createPlainFileSecretStore } from '../main/settings/secret-store.js';
import { SettingsStore } from '../main/settings/settings-store.js';
import { numberOption } from './lib/number-option.js';
import { FRAME_DELTAS_SCRIPT, median, percentile } from './lib/frames.js';

// The run page's log view in Chromium (headless), against the real app (loopback host, router,
// platform proxy) and a real services agent:
//  1. first paint: from opening a finished run with 1,000,000 log lines to the frame that shows
//     its lines (median of 5 openings); baseline: the same for a run with 100 lines.
//  2. frames while a run streams 10,000 lines/s for 5 s into the open, following view
//     (requestAnimationFrame deltas), and the share of each second the page's main thread is busy;
//     baseline: the same page idle. Frame times are wall-clock: on a machine whose cores are
//     shared (load above the core count) they include time the page was not scheduled at all.
//   node --import tsx bench/log-view.ts [--lines N]

const LINES = numberOption('--lines', 1_000_000);
const BATCH = 10_000;
const RATE = 10_000;
const STREAM_SECONDS = 5;
const OPENINGS = 5;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

function emit(metric: string, value: number, unit: string, better: 'higher' | 'lower', extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'log-view', metric, value: Math.round(value * 10) / 10, unit, better, ...extra })}\n`);
}

const line = (seq: number) => ({ stream: 'stdout' as const, ts: Date.now(), text: `${new Date(1_700_000_000_000 + seq * 1000).toISOString()} step ${seq}: loss ${(1 / seq).toFixed(6)} accuracy ${(1 - 1 / (seq + 1)).toFixed(6)}` });

async function leaseRun(researcher: PlatformClient, worker: PlatformClient, capsuleId: string): Promise<Lease> {
  await researcher.createRun({ capsuleId });
  const lease = await worker.lease({ queue: 'cpu', workerId: 'bench-worker', waitMs: 5000 });
  if (!lease) throw new Error('no run to lease');
  await worker.heartbeat(lease.leaseId, { fencingToken: lease.fencingToken, started: true });
  return lease;
}

async function finishedRun(researcher: PlatformClient, worker: PlatformClient, capsuleId: string, lines: number): Promise<string> {
  const lease = await leaseRun(researcher, worker, capsuleId);
  for (let offset = 0; offset < lines; offset += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, lines - offset) }, (_, i) => line(offset + i + 1));
    await worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset, lines: batch });
  }
  await worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
  return lease.runId;
}

// In-page scripts are plain strings: tsx would otherwise wrap named functions in a helper
// (__name) that does not exist in the page.
const OPEN_SCRIPT = `(id) => new Promise((resolve, reject) => {
  const start = performance.now();
  window.location.hash = '#/runs/' + id + '/logs';
  const deadline = start + 30000;
  const check = () => {
    const text = document.querySelector('[data-log-row="1"] .rs-log__text')?.textContent;
    if (text && text !== '\u2026') requestAnimationFrame(() => resolve(performance.now() - start));
    else if (performance.now() > deadline) reject(new Error('the log view showed no line within 30 s'));
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})`;

/**
 * Opens the run's log view from the run list; ms from the hash change to the frame after the one
 * whose DOM first holds its lines (when they are on screen).
 */
async function openingTime(page: Page, runId: string): Promise<number> {
  await page.evaluate("window.location.hash = '#/runs'");
  await page.locator('.rs-run-table').waitFor();
  return (await page.evaluate(`(${OPEN_SCRIPT})(${JSON.stringify(runId)})`)) as number;
}

/** Records requestAnimationFrame deltas for `ms`. */
async function recordFrames(page: Page, ms: number): Promise<number[]> {
  return (await page.evaluate(`(${FRAME_DELTAS_SCRIPT})(${ms})`)) as number[];
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-log-view-'));
  const rendererDir = join(root, 'renderer');
  const cleanups: (() => Promise<unknown>)[] = [() => rm(root, { recursive: true, force: true })];
  try {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    await build({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), mode: 'production', logLevel: 'error', build: { outDir: rendererDir, emptyOutDir: true } });
    process.env.NODE_ENV = nodeEnv;

    const services = await startServices({ dataDir: join(root, 'services'), port: 0, host: '127.0.0.1', logger: false });
    cleanups.push(() => services.close());
    const researcher = createPlatformClient({ url: services.url, token: services.researcherToken });
    const worker = createPlatformClient({ url: services.url, token: services.workerToken });
    const capsule = await researcher.createCapsule({ name: 'Log volume', environment: { baseImage: 'python:3.12-slim' }, command: ['python3', '/code/main.py'], files: [{ path: 'main.py', content: 'print(1)\n' }] });

    const loadStart = performance.now();
    const big = await finishedRun(researcher, worker, capsule.id, LINES);
    process.stderr.write(`log-view: ${LINES} lines stored in ${Math.round(performance.now() - loadStart)} ms\n`);
    const small = await finishedRun(researcher, worker, capsule.id, 100);

    const appDir = join(root, 'app');
    const router = createAppRouter({
      shell: 'browser',
      version: packageVersion(),
      dataDir: appDir,
      settings: new SettingsStore(appDir),
      secrets: createPlainFileSecretStore(appDir, () => undefined),
      env: { AWS_CONFIG_FILE: join(root, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-aws-credentials') },
      localPlatform: { url: services.url, token: services.researcherToken },
    });
    const host = await startHost({ router, rendererDir });
    cleanups.push(() => host.close());
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(host.url);
    await page.locator('.rs-platform-badge[data-state="connected"]').waitFor({ timeout: 30_000 });

    // One opening of each first, so neither figure includes the first load of the page's code.
    await openingTime(page, small);
    await openingTime(page, big);
    const bigTimes: number[] = [];
    const smallTimes: number[] = [];
    for (let i = 0; i < OPENINGS; i += 1) {
      bigTimes.push(await openingTime(page, big));
      smallTimes.push(await openingTime(page, small));
    }
    emit('first_paint_1m_lines', median(bigTimes), 'ms', 'lower', { target: 300, baseline: Math.round(median(smallTimes) * 10) / 10, lines: LINES, worst: Math.round(Math.max(...bigTimes)) });

    // Streaming: a running run, its log view open and following; the worker ships RATE lines/s.
    const lease = await leaseRun(researcher, worker, capsule.id);
    await page.evaluate(`window.location.hash = '#/runs/${lease.runId}/logs'`);
    await page.locator('.rs-log__count', { hasText: 'live' }).waitFor();
    // Chromium's own count of main-thread task time: how much of each second the page is busy,
    // apart from whether the machine lets its frames out on time.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0);
    const idleBusy0 = await taskSeconds();
    const idle = await recordFrames(page, 2000);
    const idleBusy = ((await taskSeconds()) - idleBusy0) / 2;
    const streamBusy0 = await taskSeconds();
    const perTick = RATE / 10;
    let sent = 0;
    const frames = recordFrames(page, STREAM_SECONDS * 1000);
    const streamStart = performance.now();
    for (let tick = 0; tick < STREAM_SECONDS * 10; tick += 1) {
      const batch = Array.from({ length: perTick }, (_, i) => line(sent + i + 1));
      await worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset: sent, lines: batch });
      sent += perTick;
      const due = streamStart + (tick + 1) * 100;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const streamMs = performance.now() - streamStart;
    const deltas = await frames;
    const streamBusy = ((await taskSeconds()) - streamBusy0) / (streamMs / 1000);
    await page.locator('.rs-log__count', { hasText: `${sent.toLocaleString('en-US')} lines` }).waitFor({ timeout: 30_000 });
    const shown = await page.locator('[data-log-row]').last().getAttribute('data-log-row');
    emit('max_frame_streaming', Math.max(...deltas), 'ms', 'lower', { target: 50, baseline: Math.round(Math.max(...idle) * 10) / 10 });
    emit('p95_frame_streaming', percentile(deltas, 0.95), 'ms', 'lower', { baseline: Math.round(percentile(idle, 0.95) * 10) / 10 });
    emit('frames_over_50ms_streaming', deltas.filter((d) => d > 50).length, 'frames', 'lower', { target: 0, frames: deltas.length });
    emit('main_thread_busy_streaming', streamBusy * 100, '%', 'lower', { baseline: Math.round(idleBusy * 1000) / 10 });
    emit('lines_streamed_per_s', (sent / streamMs) * 1000, 'lines/s', 'higher', { target: RATE, lastLineShown: Number(shown) });
    await worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => process.stderr.write(`log-view cleanup: ${String(e)}\n`));
  }
}

await main();
