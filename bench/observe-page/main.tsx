import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type { CallDef, EventDef } from '../../common/api/contract.js';
import type { ObservedLine } from '../../common/api/observe.contract.js';
import type { ApiClient } from '../../renderer/src/api/client.js';
import { loadUPlot, TimeSeriesChart } from '../../renderer/src/components/charts/TimeSeriesChart.js';
import { FOLLOW_VIEW_OPTIONS } from '../../renderer/src/observe/follow-view-options.js';
import { observedLinePrefix } from '../../renderer/src/observe/observed-line-prefix.js';
import { ObservedLogSource } from '../../renderer/src/observe/observed-log-source.js';
import { LogViewer } from '../../renderer/src/researcher/runs/LogView.js';
import '../../renderer/src/styles/tokens.css';
import '../../renderer/src/styles/base.css';
import '../../renderer/src/styles/components.css';
import '../../renderer/src/researcher/researcher.css';
import '../../renderer/src/observe/observe.css';

// The Observe components alone in a page, for bench/observe.ts: the chart wrapper with a week of
// minutes, and the log view fed as main feeds it while following Live Tail (one batch per 100 ms).

let chartRoot: Root | undefined;
let logsRoot: Root | undefined;
let stopFeed: (() => void) | undefined;
// Paused, the feed sends nothing and the page is the same page idle (for the baseline).
let paused = false;

function week(seriesCount: number, points: number) {
  const t0 = Math.floor(Date.now() / 1000) - points * 60;
  const timestamps = Array.from({ length: points }, (_, i) => t0 + i * 60);
  const series = Array.from({ length: seriesCount }, (_, s) => ({
    label: `series ${s + 1}`,
    values: timestamps.map((_, i) => 50 + 40 * Math.sin(i / (200 + s * 37)) + ((i * 7919 + s * 104729) % 13)),
  }));
  return { timestamps, series };
}

/** ms from handing the chart its data to the frame after the canvas was drawn. */
async function chart(seriesCount: number, points: number): Promise<number> {
  await loadUPlot();
  const el = document.getElementById('chart')!;
  chartRoot?.unmount();
  chartRoot = createRoot(el);
  const { timestamps, series } = week(seriesCount, points);
  const start = performance.now();
  flushSync(() => chartRoot!.render(<TimeSeriesChart title="week" timestamps={timestamps} series={series} unit="percent" height={300} />));
  return new Promise((resolve, reject) => {
    const deadline = start + 10_000;
    const check = () => {
      if (el.querySelector('canvas')) requestAnimationFrame(() => resolve(performance.now() - start));
      else if (performance.now() > deadline) reject(new Error('no canvas within 10 s'));
      else requestAnimationFrame(check);
    };
    check();
  });
}

/** A client whose only stream is a follow fed `rate` lines a second, in batches every 100 ms. */
function feedingClient(rate: number): ApiClient {
  return {
    call: (() => Promise.reject(new Error('not in the bench'))) as ApiClient['call'],
    subscribe: ((_def: EventDef, _input: unknown, onMessage: (p: unknown) => void) => {
      let seq = 0;
      const perBatch = Math.round(rate / 10);
      let started = performance.now();
      let sent = 0;
      const timer = setInterval(() => {
        if (paused) {
          started = performance.now();
          sent = 0;
          return;
        }
        // Catch up to the rate by wall-clock, as main's batcher does when its timer is late.
        const due = Math.floor(((performance.now() - started) / 1000) * rate) - sent;
        const n = Math.max(perBatch, due);
        const lines: ObservedLine[] = [];
        for (let i = 0; i < n; i += 1) {
          seq += 1;
          lines.push({ seq, ts: Date.now(), stream: `i-0abc/${seq % 4}`, text: `${new Date().toISOString()} INFO request ${seq} GET /api/v1/runs?after=${seq} 200 ${seq % 97} ms` });
        }
        sent += n;
        onMessage({ lines, mode: seq === n ? 'live-tail' : undefined });
      }, 100);
      stopFeed = () => clearInterval(timer);
      return () => clearInterval(timer);
    }) as ApiClient['subscribe'],
  } as ApiClient & { call: <D extends CallDef>(d: D) => never };
}

function logs(rate: number): void {
  const el = document.getElementById('logs')!;
  logsRoot?.unmount();
  logsRoot = createRoot(el);
  const source = new ObservedLogSource(feedingClient(rate), { source: { kind: 'local' }, group: 'services', since: Date.now() });
  logsRoot.render(
    <div className="ob-logs">
      <LogViewer<ObservedLine> source={source} live options={FOLLOW_VIEW_OPTIONS} prefix={observedLinePrefix} />
    </div>,
  );
}

function shownLines(): number {
  return Number((document.querySelector('.rs-log__count')?.textContent ?? '').replace(/\D/g, ''));
}

(window as unknown as { bench: unknown }).bench = { chart, logs, stop: () => stopFeed?.(), pause: (p: boolean) => void (paused = p), shownLines };
document.title = 'ready';
