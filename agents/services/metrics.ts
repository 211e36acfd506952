import type { QueueName } from '../../common/protocol/common.js';
import { finishedState, type RunState } from '../../common/protocol/runs.js';

const BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

/** Run durations since this process started, as a Prometheus histogram (seconds). */
// Durations wait here for the CloudWatch publisher; in the sandbox nobody takes them, so keep a bound.
const MAX_UNPUBLISHED = 5000;

export class DurationHistogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  private unpublished: number[] = [];

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.counts[i]!++;
    });
    if (this.unpublished.length >= MAX_UNPUBLISHED) this.unpublished.shift();
    this.unpublished.push(seconds);
  }

  /** The durations observed since the last call (CloudWatch's percentiles need the values themselves). */
  takeUnpublished(): number[] {
    const taken = this.unpublished;
    this.unpublished = [];
    return taken;
  }

  /** Gives back durations a failed publication took, ahead of newer ones. */
  putBack(durations: readonly number[]): void {
    this.unpublished = [...durations, ...this.unpublished].slice(-MAX_UNPUBLISHED);
  }
}

/** Errors no code handled, by kind, since this process started (counted by the crash policy). */
export const unhandledErrors = { rejection: 0, exception: 0 };

/** Lease sweeps that failed since this process started (counted by the lease sweeper). */
export const leaseSweepErrors = { total: 0 };

export interface MetricsSnapshot {
  queues: Record<QueueName, { queued: number; running: number; workersOnline: number }>;
  byState: Record<RunState, number>;
}

/** Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). */
export function prometheusText(snapshot: MetricsSnapshot, durations: DurationHistogram): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  family('benchtop_queue_depth', 'gauge', 'Runs waiting for a worker.');
  for (const [q, s] of Object.entries(snapshot.queues)) out.push(`benchtop_queue_depth{queue="${q}"} ${s.queued}`);
  family('benchtop_runs_running', 'gauge', 'Runs leased or running.');
  for (const [q, s] of Object.entries(snapshot.queues)) out.push(`benchtop_runs_running{queue="${q}"} ${s.running}`);
  family('benchtop_workers_online', 'gauge', 'Workers that polled or heartbeated recently.');
  for (const [q, s] of Object.entries(snapshot.queues)) out.push(`benchtop_workers_online{queue="${q}"} ${s.workersOnline}`);
  family('benchtop_runs_finished_total', 'counter', 'Finished runs by final state.');
  for (const state of finishedState.options) out.push(`benchtop_runs_finished_total{state="${state}"} ${snapshot.byState[state]}`);
  family('benchtop_run_duration_seconds', 'histogram', 'Time from start to finish of runs finished since the services agent started.');
  BUCKETS.forEach((b, i) => out.push(`benchtop_run_duration_seconds_bucket{le="${b}"} ${durations.counts[i]}`));
  out.push(`benchtop_run_duration_seconds_bucket{le="+Inf"} ${durations.count}`);
  out.push(`benchtop_run_duration_seconds_sum ${durations.sum}`, `benchtop_run_duration_seconds_count ${durations.count}`);
  family('benchtop_unhandled_errors_total', 'counter', 'Errors no code handled since the services agent started (see crash-policy.ts); any is a bug.');
  for (const [kind, n] of Object.entries(unhandledErrors)) out.push(`benchtop_unhandled_errors_total{kind="${kind}"} ${n}`);
  family('benchtop_lease_sweep_errors_total', 'counter', 'Timed lease sweeps that failed since the services agent started (see lease-sweeper.ts).');
  out.push(`benchtop_lease_sweep_errors_total ${leaseSweepErrors.total}`);
  return `${out.join('\n')}\n`;
}
