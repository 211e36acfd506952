import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { MetricsSnapshot } from './metrics.js';

export interface MetricsPublisherOptions {
  /** The stack's custom namespace, e.g. "Benchtop/my-lab". */
  namespace: string;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/** The data points one publication sends: QueueDepth, RunningRuns and WorkersOnline per queue. */
export function metricData(snapshot: MetricsSnapshot, at: Date): MetricDatum[] {
  const data: MetricDatum[] = [];
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

  constructor(
    private readonly client: CloudWatchClient,
    private readonly snapshot: () => MetricsSnapshot,
    private readonly options: MetricsPublisherOptions,
  ) {}

  async publish(): Promise<void> {
    try {
      await this.client.send(new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: metricData(this.snapshot(), new Date()) }));
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.publish(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
