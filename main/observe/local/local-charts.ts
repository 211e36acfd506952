import type { ChartData, MetricsAnswer } from '../../../common/api/observe.contract.js';
import { increase, quantileBetween, type SandboxSample } from './sandbox-sample.js';

const LOCAL_PERIODS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** The smallest period (seconds) at or above the sampling interval that keeps a range to at most 720 points. */
export function localPeriod(from: number, to: number, sampleSeconds: number): number {
  const span = (to - from) / 1000;
  return LOCAL_PERIODS.find((p) => p >= sampleSeconds && span / p <= 720) ?? 3600;
}

type Reduce = (inBucket: SandboxSample[], before: SandboxSample | undefined) => number | null;

const max = (pickValue: (s: SandboxSample) => number): Reduce => (b) => (b.length === 0 ? null : Math.max(...b.map(pickValue)));
const mean = (pickValue: (s: SandboxSample) => number): Reduce => (b) => (b.length === 0 ? null : b.reduce((a, s) => a + pickValue(s), 0) / b.length);

function counter(pickValue: (s: SandboxSample) => number): Reduce {
  return (b, before) => {
    if (b.length === 0) return null;
    let sum = 0;
    let prev = before ?? b[0]!;
    for (const s of before ? b : b.slice(1)) {
      sum += increase(pickValue(prev), pickValue(s));
      prev = s;
    }
    return sum;
  };
}

function quantile(q: number): Reduce {
  return (b, before) => {
    const last = b.at(-1);
    if (!last) return null;
    return quantileBetween((before ?? b[0]!).durationBuckets, last.durationBuckets, q) ?? null;
  };
}

/**
 * The Monitoring charts of the sandbox from its sampled history, in the same shape as the
 * stack's: gauges at their highest in each period, counters as increases, run durations as
 * quantiles of the runs that finished in each period. Load balancer, EFS and NAT exist only on AWS.
 */
export function localCharts(all: readonly SandboxSample[], from: number, to: number, period: number, startedAt: number): MetricsAnswer {
  const first = Math.floor(from / 1000 / period) * period;
  const timestamps: number[] = [];
  for (let t = first; t <= to / 1000; t += period) timestamps.push(t);
  const buckets: SandboxSample[][] = timestamps.map(() => []);
  const befores: (SandboxSample | undefined)[] = timestamps.map(() => undefined);
  let previous: SandboxSample | undefined;
  for (const s of all) {
    const i = Math.floor((s.at / 1000 - first) / period);
    if (i < 0) {
      previous = s;
      continue;
    }
    if (i >= timestamps.length) break;
    if (buckets[i]!.length === 0) befores[i] = previous;
    buckets[i]!.push(s);
    previous = s;
  }
  const series = (label: string, reduce: Reduce, dashed?: boolean) => ({
    label,
    values: buckets.map((b, i) => reduce(b, befores[i])),
    ...(dashed ? { dashed } : {}),
  });
  const sampled = all.some((s) => s.at >= from && s.at <= to);
  const none = sampled ? undefined : 'No samples in this range: the app reads the sandbox only while it runs.';
  const chart = (id: string, title: string, unit: ChartData['unit'], s: ChartData['series'], whenEmpty = 'No samples in this range.'): ChartData => {
    const empty = s.every((x) => x.values.every((v) => v === null));
    return { id, title, unit, series: s, ...(none || empty ? { emptyReason: none ?? whenEmpty } : {}) };
  };
  const anyGpu = all.some((s) => s.workers.gpu > 0 || s.running.gpu > 0 || s.queued.gpu > 0);
  const charts: ChartData[] = [
    chart('queue-depth', 'Queue depth', 'count', [series('cpu', max((s) => s.queued.cpu)), series('gpu', max((s) => s.queued.gpu))]),
    chart('runs-running', 'Runs running', 'count', [series('cpu', max((s) => s.running.cpu)), series('gpu', max((s) => s.running.gpu))]),
    chart(
      'workers',
      'Workers online',
      'count',
      [series('cpu workers', max((s) => s.workers.cpu)), ...(anyGpu ? [series('gpu workers', max((s) => s.workers.gpu))] : [])],
    ),
    chart('run-durations', 'Run durations', 'seconds', [series('p50', quantile(0.5)), series('p95', quantile(0.95))], 'No run finished in this range.'),
    chart('failed-runs', 'Failed runs', 'count', [series('failed', counter((s) => s.failedTotal)), series('succeeded', counter((s) => s.succeededTotal))]),
    chart('services-cpu', 'Machine load', 'percent', [series('load (1 min, all cores)', mean((s) => s.cpuPercent))]),
    chart('services-disk', 'Sandbox disk used', 'percent', [series('data folder', max((s) => s.diskPercent))]),
  ];
  const notes = ['Local sandbox: sampled by this app every 10 seconds while it runs (no CloudWatch).'];
  if (from < startedAt) notes.push(`History starts ${new Date(startedAt).toISOString()}, when the app started.`);
  return { local: true, from, to, period, timestamps, charts, notes };
}
