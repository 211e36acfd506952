import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame, TERMINAL_SOCKET_PATH } from '../common/api/terminal-stream.js';
import { createAppRouter, packageVersion } from '../main/app-router.js';
import { startHost } from '../main/host/host-server.js';
import { ptyBackend } from '../main/terminal/local-pty.js';
import type { TerminalBackend } from '../main/terminal/terminal-backend.js';
import { TerminalHub } from '../main/terminal/terminal-hub.js';
import { createPlainFileSecretStore } from '../main/settings/secret-store.js';
import { SettingsStore } from '../main/settings/settings-store.js';
import { numberOption } from './lib/number-option.js';
import { FRAME_DELTAS_SCRIPT, percentile } from './lib/frames.js';

// 10 MB of `cat` output into the Terminal page's xterm in Chromium (headless), through the real
// path: pty → hub (flow control by acknowledged bytes) → browser mode's WebSocket → xterm.
// Figures: time from the command to the end marker on screen, and requestAnimationFrame deltas
// meanwhile (worst frame, frames over 50 ms). Baselines: for the time, the same 10 MB read off the
// same socket by a Node client that renders nothing; for frames, the same page idle for 2 s.
// Frame times are wall-clock: on a shared machine they include time the page was not scheduled,
// so the page's main thread is also traced: the CPU time (thread time, which waiting for a core
// does not add to) its tasks took per animation frame, and its longest task, say what the page
// itself spent, and the page's thread's time runnable but waiting for a core (Linux schedstat)
// says how much of the wall-clock time was the machine's.
// `--renderer-root DIR` builds the renderer of another checkout (e.g. an older commit, from
// `git archive`), to compare two versions under the same load, run after run.
// `--favour-browser` runs Chromium at nice -10 (as root), to see what the page does on a machine
// that is not shared: on this one, other work takes the cores the page waits for. `--trace FILE`
// keeps the trace for a closer look.
//   node --import tsx bench/terminal-output.ts [--mb N] [--renderer-root DIR] [--favour-browser] [--trace FILE]

const MB = numberOption('--mb', 10);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const END = '__BENCH_END__';
const ROOT_AT = process.argv.indexOf('--renderer-root');
const TRACE_AT = process.argv.indexOf('--trace');
const TRACE_FILE = TRACE_AT < 0 ? undefined : process.argv[TRACE_AT + 1];
/** Chromium's threads at nice -10: what the page does when it is not waiting for a core. */
const FAVOUR_BROWSER = process.argv.includes('--favour-browser');
const VITE_CONFIG = ROOT_AT < 0 ? fileURLToPath(new URL('../vite.config.ts', import.meta.url)) : join(process.argv[ROOT_AT + 1] ?? '.', 'vite.config.ts');

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * The page's main thread (CrRendererMain) from a trace: its tasks, and its animation frames with
 * the CPU time (thread time) its tasks took between one frame and the next, in ms.
 */
function mainThread(trace: Buffer): { tasks: { wallMs: number; cpuMs: number }[]; frameCpuMs: number[] } {
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((f) => f.name === 'FireAnimationFrame' && f.pid === e.pid && f.tid === e.tid));
  const on = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid);
  const tasks = on.filter((e) => e.name === 'RunTask' && e.ph === 'X').sort((a, b) => a.ts - b.ts);
  // A frame starts with the task that runs its animation frame callbacks (then style, layout, paint).
  // (one event per callback: the page's and xterm's run in the same task).
  const frames = [...new Set(on.filter((e) => e.name === 'FireAnimationFrame').flatMap((f) => tasks.find((t) => t.ts <= f.ts && f.ts < t.ts + (t.dur ?? 0))?.ts ?? []))];
  const frameCpuMs = frames.slice(1).map((end, i) => tasks.filter((t) => t.ts >= frames[i]! && t.ts < end).reduce((sum, t) => sum + (t.tdur ?? 0), 0) / 1000);
  return { tasks: tasks.map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 })), frameCpuMs };
}

/** Every thread of every Chromium process descended from this one (Linux: read from /proc). */
function chromiumThreads(): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      names.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '');
    } catch {
      // The process ended while the list was read.
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  const pids = [...parents.keys()].filter((pid) => descends(pid) && /chrom/.test(names.get(pid) ?? ''));
  return pids.flatMap((pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      return [];
    }
  });
}

/** Per thread: ns spent running and ns spent runnable, waiting for a core (`/proc/…/schedstat`). */
function schedstats(tids: readonly number[]): Map<number, { runNs: number; waitNs: number }> {
  const stats = new Map<number, { runNs: number; waitNs: number }>();
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      stats.set(tid, { runNs: run ?? 0, waitNs: wait ?? 0 });
    } catch {
      // The thread ended.
    }
  }
  return stats;
}

function emit(metric: string, value: number, unit: string, extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'terminal-output', metric, value: Math.round(value * 10) / 10, unit, better: 'lower', ...extra })}\n`);
}

const WATCH_SCRIPT = `(end) => new Promise((resolve, reject) => {
  const deltas = [];
  const start = performance.now();
  let last = start;
  const rows = () => document.querySelector('[role="tabpanel"]:not([hidden]) .xterm-rows');
  const tick = (now) => {
    deltas.push(now - last);
    last = now;
    const text = rows()?.textContent ?? '';
    if (text.includes(end + 'done')) resolve({ ms: performance.now() - start, deltas });
    else if (now - start > 120000) reject(new Error('the end marker never showed'));
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})`;

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-terminal-output-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(root, { recursive: true, force: true })];
  try {
    const rendererDir = join(root, 'renderer');
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    await build({ configFile: VITE_CONFIG, mode: 'production', logLevel: 'error', build: { outDir: rendererDir, emptyOutDir: true } });
    process.env.NODE_ENV = nodeEnv;

    process.stderr.write('terminal-output: renderer built\n');
    const file = join(root, 'out.txt');
    const line = `${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2)} terminal output line\n`;
    await writeFile(file, line.repeat(Math.ceil((MB * 1_000_000) / line.length)));

    const appDir = join(root, 'app');
    const terminals = new TerminalHub();
    cleanups.push(async () => terminals.closeAll());
    const router = createAppRouter({
      shell: 'browser',
      version: packageVersion(),
      dataDir: appDir,
      settings: new SettingsStore(appDir),
      secrets: createPlainFileSecretStore(appDir, () => undefined),
      env: { AWS_CONFIG_FILE: join(root, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(root, 'none') },
      terminals,
    });
    const host = await startHost({ router, rendererDir, terminals });
    cleanups.push(() => host.close());

    let backend: TerminalBackend | undefined;
    const shell = ptyBackend({ file: '/bin/sh', args: [], cwd: root, env: { PATH: '/usr/bin:/bin', PS1: '$ ', TERM: 'xterm-256color' } });
    const session = await terminals.open({ title: 'bench', target: { kind: 'local' }, note: 'bench' }, { cols: 120, rows: 40 }, async (sink, size) => (backend = await shell(sink, size)));

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(host.url);
    // The shell restores its start page first; go to the Terminal page once it has.
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.evaluate("window.location.hash = '#/terminal'");
    await page.getByRole('heading', { level: 1, name: 'Terminal' }).waitFor();
    await page.getByRole('tab', { name: 'bench' }).click({ timeout: 30_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: join(tmpdir(), 'bench-terminal-output.png') });
      throw error;
    });
    await page.locator('[role="tabpanel"]:not([hidden]) .xterm-rows').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    process.stderr.write('terminal-output: terminal open in Chromium\n');

    if (FAVOUR_BROWSER) {
      const threads = chromiumThreads();
      for (const tid of threads) setPriority(tid, -10);
      process.stderr.write(`terminal-output: ${threads.length} Chromium threads at nice -10\n`);
    }
    // The same page idle, for how long this machine's frames are with nothing to draw.
    const idle = (await page.evaluate(`(${FRAME_DELTAS_SCRIPT})(2000)`)) as number[];
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const threads = chromiumThreads();
    const schedBefore = schedstats(threads);
    const watching = page.evaluate(`(${WATCH_SCRIPT})(${JSON.stringify(END)})`) as Promise<{ ms: number; deltas: number[] }>;
    backend!.write(Buffer.from(`cat ${file}; echo ${END}''done\r`));
    const { ms, deltas } = await watching;
    // The Chromium thread that ran most meanwhile is the page's main thread.
    const busiest = [...schedstats(threads)].map(([tid, after]) => ({ runNs: after.runNs - (schedBefore.get(tid)?.runNs ?? after.runNs), waitNs: after.waitNs - (schedBefore.get(tid)?.waitNs ?? after.waitNs) })).sort((a, b) => b.runNs - a.runNs)[0];
    const trace = await browser.stopTracing();
    if (TRACE_FILE) await writeFile(TRACE_FILE, trace);
    const { tasks, frameCpuMs } = mainThread(trace);
    process.stderr.write(`terminal-output: ${MB} MB shown in ${Math.round(ms)} ms\n`);

    // Baseline: the page's tab is taken over by a bare socket that only counts bytes.
    const secret = (await page.evaluate("sessionStorage.getItem('benchtop.page-secret')")) as string;
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${TERMINAL_SOCKET_PATH}`, ['benchtop-terminal', `bearer.${secret}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`the terminal socket was refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    process.stderr.write('terminal-output: baseline socket open\n');
    let seen = '';
    let received = 0;
    const bareStart = performance.now();
    const bareDone = new Promise<number>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const frame = decodeServerFrame(new Uint8Array(data));
        // Acknowledgements are absolute offsets in the session's output: count from where the attach began.
        if (frame?.kind === 'control' && frame.control.type === 'attached') received = frame.control.offset;
        if (frame?.kind !== 'data') return;
        received += frame.bytes.length;
        ws.send(encodeClientFrame({ kind: 'ack', bytes: received }));
        seen = (seen + Buffer.from(frame.bytes).toString()).slice(-200);
        if (seen.includes(`${END}done`)) resolve(performance.now() - bareStart);
      });
    });
    ws.send(encodeClientFrame({ kind: 'attach', request: { sessionId: session.id, from: Number.MAX_SAFE_INTEGER } }));
    backend!.write(Buffer.from(`cat ${file}; echo ${END}''done\r`));
    const bareMs = await bareDone;
    ws.close();

    emit('cat_10mb_ms', ms, 'ms', { baseline: Math.round(bareMs), megabytes: MB });
    emit('worst_frame_cat_10mb', Math.max(...deltas), 'ms', { target: 50, frames: deltas.length, baseline: Math.round(Math.max(...idle) * 10) / 10 });
    emit('p95_frame_cat_10mb', percentile(deltas, 0.95), 'ms', { baseline: Math.round(percentile(idle, 0.95) * 10) / 10 });
    emit('frames_over_50ms_cat_10mb', deltas.filter((d) => d > 50).length, 'frames', { target: 0, frames: deltas.length });
    emit('worst_frame_cpu_cat_10mb', Math.max(0, ...frameCpuMs), 'ms', { frames: frameCpuMs.length, over_50ms: frameCpuMs.filter((c) => c > 50).length, p95: Math.round(percentile(frameCpuMs, 0.95) * 10) / 10 });
    emit('worst_task_cpu_cat_10mb', Math.max(0, ...tasks.map((t) => t.cpuMs)), 'ms', { wall: Math.round(Math.max(0, ...tasks.map((t) => t.wallMs)) * 10) / 10, tasks: tasks.length });
    emit('main_thread_cpu_cat_10mb', tasks.reduce((sum, t) => sum + t.cpuMs, 0), 'ms', { wall: Math.round(tasks.reduce((sum, t) => sum + t.wallMs, 0)) });
    if (busiest) emit('page_thread_waiting_for_a_core_cat_10mb', busiest.waitNs / 1e6, 'ms', { running: Math.round(busiest.runNs / 1e6) });
    emit('tasks_over_50ms_cpu_cat_10mb', tasks.filter((t) => t.cpuMs > 50).length, 'tasks', { wall: tasks.filter((t) => t.wallMs > 50).length });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => process.stderr.write(`terminal-output cleanup: ${String(e)}\n`));
  }
}

await main();
