import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { MetricsSnapshot } from './metrics.js';

export interface MetricsPublisherOptions {
  /** The stack's custom namespace, e.g. "Benchtop/my-lab". */
  namespace: string;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The data points one publication sends: QueueDepth, RunningRuns and WorkersOnline per queue, and
 * FailedRuns, the runs that failed since the previous publication (the failed-runs alarm sums it).
 */
export function metricData(snapshot: MetricsSnapshot, at: Date, failedBefore: number): MetricDatum[] {
  const data: MetricDatum[] = [
    { MetricName: 'FailedRuns', Value: Math.max(0, snapshot.byState.failed - failedBefore), Unit: 'Count', Timestamp: at },
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
  ) {}

  async publish(): Promise<void> {
    const snapshot = this.snapshot();
    this.failedBefore ??= snapshot.byState.failed;
    try {
      await this.client.send(
        new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: metricData(snapshot, new Date(), this.failedBefore) }),
      );
      this.failedBefore = snapshot.byState.failed;
    } catch (error) {
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
