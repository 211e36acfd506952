import { describe, expect, it } from 'vitest';
import { localCharts, localPeriod } from './local-charts.js';
import { parsePrometheusText } from './prometheus-text.js';
import { quantileBetween, sampleFrom, type SandboxSample } from './sandbox-sample.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

function metricsText(o: { queued: number; running: number; failed: number; buckets: number[] }): string {
  const les = [1, 5, 15, 60, 300, 900, 3600, 14400, 86400];
  return [
    '# HELP benchtop_queue_depth Runs waiting for a worker.',
    '# TYPE benchtop_queue_depth gauge',
    `benchtop_queue_depth{queue="cpu"} ${o.queued}`,
    'benchtop_queue_depth{queue="gpu"} 0',
    `benchtop_runs_running{queue="cpu"} ${o.running}`,
    'benchtop_runs_running{queue="gpu"} 0',
    'benchtop_workers_online{queue="cpu"} 1',
    'benchtop_workers_online{queue="gpu"} 0',
    `benchtop_runs_finished_total{state="failed"} ${o.failed}`,
    'benchtop_runs_finished_total{state="succeeded"} 0',
    ...les.map((le, i) => `benchtop_run_duration_seconds_bucket{le="${le}"} ${o.buckets[i] ?? o.buckets.at(-1)}`),
    `benchtop_run_duration_seconds_bucket{le="+Inf"} ${o.buckets.at(-1)}`,
  ].join('\n');
}

const sample = (at: number, o: Parameters<typeof metricsText>[0]): SandboxSample => sampleFrom(parsePrometheusText(metricsText(o)), at, { cpuPercent: 20, diskPercent: 40 });

describe('the sandbox charts from sampled /metrics', () => {
  it('reads gauges, counters and the duration histogram from Prometheus text', () => {
    const s = sample(T0, { queued: 3, running: 1, failed: 2, buckets: [0, 1, 4] });
    expect(s.queued).toEqual({ cpu: 3, gpu: 0 });
    expect(s.running.cpu).toBe(1);
    expect(s.failedTotal).toBe(2);
    expect(s.durationBuckets.at(-1)).toEqual({ le: Infinity, count: 4 });
  });

  it('interpolates quantiles inside the bucket, counting only runs between two readings', () => {
    const before = sample(T0, { queued: 0, running: 0, failed: 0, buckets: [0, 0, 0] }).durationBuckets;
    // Four runs finished, all between 5 and 15 seconds.
    const after = sample(T0, { queued: 0, running: 0, failed: 0, buckets: [0, 0, 4] }).durationBuckets;
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(10);
    expect(quantileBetween(after, after, 0.5)).toBeUndefined();
  });

  it('takes the highest queue depth of each period and the failed runs as increases, a restart counting from zero', () => {
    const samples = [
      sample(T0 + 5_000, { queued: 1, running: 0, failed: 4, buckets: [0] }),
      sample(T0 + 15_000, { queued: 5, running: 1, failed: 5, buckets: [0] }),
      sample(T0 + 65_000, { queued: 2, running: 1, failed: 7, buckets: [0] }),
      // The services agent restarted: its counter starts again at 1.
      sample(T0 + 125_000, { queued: 0, running: 0, failed: 1, buckets: [0] }),
    ];
    const answer = localCharts(samples, T0, T0 + 180_000, 60, T0);
    const chart = (id: string) => answer.charts.find((c) => c.id === id)!;
    expect(answer.timestamps).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120, T0 / 1000 + 180]);
    expect(chart('queue-depth').series[0]!.values).toEqual([5, 2, 0, null]);
    expect(chart('failed-runs').series[0]!.values).toEqual([1, 2, 1, null]);
    expect(answer.local).toBe(true);
  });

  it('says why a chart is empty instead of drawing zeros', () => {
    const answer = localCharts([], T0, T0 + 3_600_000, 60, T0 + 1_800_000);
    expect(answer.charts.every((c) => c.emptyReason?.includes('only while it runs'))).toBe(true);
    expect(answer.notes.join(' ')).toContain('History starts');
    const withSamples = localCharts([sample(T0 + 1000, { queued: 0, running: 0, failed: 0, buckets: [0] })], T0, T0 + 60_000, 10, T0);
    expect(withSamples.charts.find((c) => c.id === 'run-durations')!.emptyReason).toBe('No run finished in this range.');
    expect(withSamples.charts.find((c) => c.id === 'queue-depth')!.emptyReason).toBeUndefined();
  });

  it('chooses a period of at least the sampling interval and at most 720 points', () => {
    expect(localPeriod(T0, T0 + 3_600_000, 10)).toBe(10);
    expect(localPeriod(T0, T0 + 24 * 3_600_000, 10)).toBe(120);
  });
});
