import { pick, type PromSample } from './prometheus-text.js';

/** What the app keeps of one /metrics reading of the sandbox, plus this machine's disk and load. */
export interface SandboxSample {
  /** Epoch ms. */
  at: number;
  queued: { cpu: number; gpu: number };
  running: { cpu: number; gpu: number };
  workers: { cpu: number; gpu: number };
  /** Counters since the services agent started (they drop to 0 when it restarts). */
  failedTotal: number;
  succeededTotal: number;
  /** Cumulative run-duration histogram: bucket upper bounds (seconds) and counts. */
  durationBuckets: { le: number; count: number }[];
  /** The machine's 1-minute load over its cores, in percent. */
  cpuPercent: number;
  /** How full the sandbox's data folder's file system is. */
  diskPercent: number;
}

export function sampleFrom(samples: readonly PromSample[], at: number, machine: { cpuPercent: number; diskPercent: number }): SandboxSample {
  const q = (name: string, queue: string) => pick(samples, name, { queue }) ?? 0;
  return {
    at,
    queued: { cpu: q('benchtop_queue_depth', 'cpu'), gpu: q('benchtop_queue_depth', 'gpu') },
    running: { cpu: q('benchtop_runs_running', 'cpu'), gpu: q('benchtop_runs_running', 'gpu') },
    workers: { cpu: q('benchtop_workers_online', 'cpu'), gpu: q('benchtop_workers_online', 'gpu') },
    failedTotal: pick(samples, 'benchtop_runs_finished_total', { state: 'failed' }) ?? 0,
    succeededTotal: pick(samples, 'benchtop_runs_finished_total', { state: 'succeeded' }) ?? 0,
    durationBuckets: samples
      .filter((s) => s.name === 'benchtop_run_duration_seconds_bucket')
      .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
      .sort((a, b) => a.le - b.le),
    ...machine,
  };
}

/** The increase of a counter between two readings; a restart (a drop) counts from zero. */
export function increase(before: number, after: number): number {
  return after >= before ? after - before : after;
}

/**
 * A quantile of the runs that finished between two histogram readings, interpolated linearly
 * inside its bucket as Prometheus's histogram_quantile does; undefined when none finished.
 */
export function quantileBetween(before: SandboxSample['durationBuckets'], after: SandboxSample['durationBuckets'], q: number): number | undefined {
  const restarted = after.length > 0 && before.length === after.length && after.some((b, i) => b.count < before[i]!.count);
  const delta = after.map((b, i) => ({ le: b.le, count: restarted || before.length !== after.length ? b.count : b.count - before[i]!.count }));
  const total = delta.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of delta) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lowerBound;
      const inBucket = b.count - lowerCount;
      return inBucket <= 0 ? b.le : lowerBound + ((b.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}
