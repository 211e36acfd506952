import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { numberOption } from './lib/number-option.js';
import { FRAME_DELTAS_SCRIPT, median, percentile } from './lib/frames.js';

// The Observe components in Chromium (headless), built by Vite as the app is (bench/observe-page):
//  1. first paint of a chart of 7 days of 1-minute points × 6 series (60,480 points): ms from
//     handing it the data to the frame after its canvas is drawn (median of 7); baseline: the
//     same chart with 60 points × 6 series (what one hour looks like).
//  2. the log view following at 500 events/s, fed as main feeds it from Live Tail (one batch per
//     100 ms): requestAnimationFrame deltas over 4 windows of 5 s, each followed by 5 s of the same
//     page idle (the feed paused) as the baseline, so both see the same load on a shared machine;
//     frames over 50 ms in each, and the renderer's CPU time (from /proc, which unlike frame times
//     does not count the time a loaded machine did not run the page).
//  3. memory while following: the page's JS heap after a forced GC every 30 s over
//     --follow-seconds (default 600: 10 minutes) of 500 events/s; the figure is the growth from
//     two minutes in (the bounded buffers full) to the end: flat is about 0.
//   node --import tsx bench/observe.ts [--follow-seconds N]

const FOLLOW_SECONDS = numberOption('--follow-seconds', 600);
const WINDOWS = 4;
const WINDOW_MS = 5000;
const RATE = 500;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

function emit(metric: string, value: number, unit: string, better: 'higher' | 'lower', extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'observe', metric, value: Math.round(value * 10) / 10, unit, better, ...extra })}\n`);
}

async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    stat(file).then(
      () => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** Chromium's renderer processes started by this one (the page's, on Linux). */
async function rendererPids(): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The fields after the command name, which may itself hold spaces and parentheses.
    if (stat) parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) if (ours.has(parent) && !ours.has(pid)) grew = Boolean(ours.add(pid));
  }
  const renderers: number[] = [];
  for (const pid of ours) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('--type=renderer')) renderers.push(pid);
  return renderers;
}

/** User and system CPU seconds of the processes so far. */
async function cpuSeconds(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  // USER_HZ is 100 on Linux.
  return ticks / 100;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-observe-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(root, { recursive: true, force: true })];
  try {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    await build({
      configFile: false,
      root: fileURLToPath(new URL('./observe-page/', import.meta.url)),
      base: './',
      plugins: [react()],
      mode: 'production',
      logLevel: 'error',
      build: { outDir: join(root, 'page'), emptyOutDir: true, target: 'es2022' },
    });
    process.env.NODE_ENV = nodeEnv;
    const site = await serve(join(root, 'page'));
    cleanups.push(() => site.close());
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(site.url);
    await page.waitForFunction(() => document.title === 'ready');

    // One of each first, so no figure includes loading uPlot or compiling the page's code.
    await page.evaluate('window.bench.chart(6, 60)');
    await page.evaluate('window.bench.chart(6, 10080)');
    const big: number[] = [];
    const small: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      big.push((await page.evaluate('window.bench.chart(6, 10080)')) as number);
      small.push((await page.evaluate('window.bench.chart(6, 60)')) as number);
    }
    emit('chart_first_paint_60k_points', median(big), 'ms', 'lower', { target: 200, baseline: Math.round(median(small) * 10) / 10, points: 6 * 10080, worst: Math.round(Math.max(...big)) });

    // Chromium's own count of main-thread task time: how much of each second the page is busy.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    const heapStart = await heapAfterGc(page);
    await page.evaluate(`window.bench.logs(${RATE})`);
    await page.locator('[data-log-row]').first().waitFor();
    const renderers = await rendererPids();
    const windows = { follow: { deltas: [] as number[], busy: 0, cpu: 0 }, idle: { deltas: [] as number[], busy: 0, cpu: 0 } };
    for (let round = 0; round < WINDOWS; round += 1) {
      for (const kind of ['follow', 'idle'] as const) {
        await page.evaluate(`window.bench.pause(${kind === 'idle'})`);
        const busy0 = await taskSeconds();
        const cpu0 = await cpuSeconds(renderers);
        windows[kind].deltas.push(...((await page.evaluate(`(${FRAME_DELTAS_SCRIPT})(${WINDOW_MS})`)) as number[]));
        windows[kind].cpu += (await cpuSeconds(renderers)) - cpu0;
        windows[kind].busy += (await taskSeconds()) - busy0;
      }
    }
    await page.evaluate('window.bench.pause(false)');
    await cdp.detach();
    const { follow, idle } = windows;
    const seconds = (WINDOWS * WINDOW_MS) / 1000;
    const share = (s: number) => Math.round((s / seconds) * 1000) / 10;
    emit('live_tail_frames_over_50ms', follow.deltas.filter((d) => d > 50).length, 'frames', 'lower', { target: 0, frames: follow.deltas.length, baseline: idle.deltas.filter((d) => d > 50).length, baselineFrames: idle.deltas.length });
    emit('live_tail_max_frame_500_per_s', Math.max(...follow.deltas), 'ms', 'lower', { target: 50, baseline: Math.round(Math.max(...idle.deltas) * 10) / 10 });
    emit('live_tail_p95_frame_500_per_s', percentile(follow.deltas, 0.95), 'ms', 'lower', { baseline: Math.round(percentile(idle.deltas, 0.95) * 10) / 10 });
    emit('live_tail_main_thread_busy_500_per_s', share(follow.busy), '%', 'lower', { baseline: share(idle.busy) });
    emit('live_tail_renderer_cpu_500_per_s', share(follow.cpu), '% of a core', 'lower', { baseline: share(idle.cpu), load: Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]) });

    // Memory: the first two minutes fill the bounded buffers (50,000 lines at 500/s take 100 s);
    // flat means no growth after that.
    const followMs = FOLLOW_SECONDS * 1000;
    const samples: { at: number; heap: number }[] = [];
    const t0 = Date.now();
    for (let at = 0; at < followMs; at = Date.now() - t0) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, followMs - at)));
      samples.push({ at: Date.now() - t0, heap: await heapAfterGc(page) });
    }
    const lines = (await page.evaluate('window.bench.shownLines()')) as number;
    await page.evaluate('window.bench.stop()');
    const afterFill = samples.find((s) => s.at >= 120_000) ?? samples[0]!;
    const end = samples.at(-1)!;
    const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
    emit('follow_heap_growth_after_buffers_full', mib(end.heap - afterFill.heap), 'MiB', 'lower', {
      seconds: FOLLOW_SECONDS,
      lines,
      heapStartMiB: mib(heapStart),
      heapAfterTwoMinutesMiB: mib(afterFill.heap),
      heapEndMiB: mib(end.heap),
      heapMaxMiB: mib(Math.max(...samples.map((s) => s.heap))),
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => process.stderr.write(`observe cleanup: ${String(e)}\n`));
  }
}

await main();
