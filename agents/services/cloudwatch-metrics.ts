import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { DurationHistogram, MetricsSnapshot } from './metrics.js';

export interface MetricsPublisherOptions {
  /** The stack's custom namespace, e.g. "Benchtop/my-lab". */
  namespace: string;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

// PutMetricData takes at most 150 distinct values in one datum.
const VALUES_PER_DATUM = 150;

/** Run durations as Values/Counts data (the Monitoring page charts their p50 and p95), to the millisecond. */
function runDurationData(seconds: readonly number[], at: Date): MetricDatum[] {
  const counts = new Map<number, number>();
  for (const s of seconds) {
    const v = Math.round(Math.max(0, s) * 1000) / 1000;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const entries = [...counts];
  const data: MetricDatum[] = [];
  for (let i = 0; i < entries.length; i += VALUES_PER_DATUM) {
    const chunk = entries.slice(i, i + VALUES_PER_DATUM);
    data.push({ MetricName: 'RunDuration', Values: chunk.map(([v]) => v), Counts: chunk.map(([, n]) => n), Unit: 'Seconds', Timestamp: at });
  }
  return data;
}

/**
 * The data points one publication sends: QueueDepth, RunningRuns and WorkersOnline per queue,
 * FailedRuns, the runs that failed since the previous publication (the failed-runs alarm sums it),
 * and RunDuration, the durations of the runs finished since then.
 */
export function metricData(snapshot: MetricsSnapshot, at: Date, failedBefore: number, durations: readonly number[] = []): MetricDatum[] {
  const data: MetricDatum[] = [
    { MetricName: 'FailedRuns', Value: Math.max(0, snapshot.byState.failed - failedBefore), Unit: 'Count', Timestamp: at },
    ...runDurationData(durations, at),
  ];
  for (const [queue, s] of Object.entries(snapshot.queues)) {
    const Dimensions = [{ Name: 'Queue', Value: queue }];
    data.push(
      { MetricName: 'QueueDepth', Dimensions, Value: s.queued, Unit: 'Count', Timestamp: at },
      { MetricName: 'RunningRuns', Dimensions, Value: s.running, Unit: 'Count', Timestamp: at },
      { MetricName: 'WorkersOnline', Dimensions, Value: s.workersOnline, Unit: 'Count', Timestamp: at },
    );
  }
  return data;
}

/**
 * Publishes queue metrics to CloudWatch every minute: the worker Auto Scaling groups scale on
 * QueueDepth (dimension Queue=cpu|gpu), and the stuck-queue alarm watches it.
 */
export class CloudWatchMetricsPublisher {
  private timer: NodeJS.Timeout | undefined;
  /** Failed runs counted at the last publication; the first one counts from the agent's start. */
  private failedBefore: number | undefined;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly snapshot: () => MetricsSnapshot,
    private readonly options: MetricsPublisherOptions,
    private readonly durations?: DurationHistogram,
  ) {}

  async publish(): Promise<void> {
    const snapshot = this.snapshot();
    this.failedBefore ??= snapshot.byState.failed;
    const durations = this.durations?.takeUnpublished() ?? [];
    try {
      await this.client.send(
        new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: metricData(snapshot, new Date(), this.failedBefore, durations) }),
      );
      this.failedBefore = snapshot.byState.failed;
    } catch (error) {
      this.durations?.putBack(durations);
      this.options.onError?.(error);
    }
  }

  start(): void {
    this.failedBefore ??= this.snapshot().byState.failed;
    this.timer ??= setInterval(() => void this.publish(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
