import {
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogLine } from '../../common/protocol/logs.js';
import type { LogSink } from './context.js';

// PutLogEvents limits (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
// at most 10,000 events and 1,048,576 bytes per call, counting each message's UTF-8 bytes plus
// 26 bytes per event; events in chronological order; a batch may not span more than 24 hours.
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;

export function eventBytes(event: InputLogEvent): number {
  return Buffer.byteLength(event.message ?? '', 'utf8') + EVENT_OVERHEAD_BYTES;
}

/** Splits events into PutLogEvents batches within every limit, each in chronological order. */
export function batchLogEvents(events: readonly InputLogEvent[]): InputLogEvent[][] {
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.timestamp ?? 0) - (b.e.timestamp ?? 0) || a.i - b.i)
    .map(({ e }) => e);
  const batches: InputLogEvent[][] = [];
  let batch: InputLogEvent[] = [];
  let bytes = 0;
  for (const event of sorted) {
    const size = eventBytes(event);
    const first = batch[0]?.timestamp ?? 0;
    if (batch.length > 0 && (batch.length >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || (event.timestamp ?? 0) - first > MAX_BATCH_SPAN_MS)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export interface CloudWatchLogsSinkOptions {
  logGroup: string;
  /** How often buffered lines are shipped. */
  flushMs?: number;
  /** Lines kept waiting at most; beyond that the oldest are dropped (SQLite keeps every line). */
  maxBufferedEvents?: number;
  onError?: (error: unknown) => void;
}

/**
 * Copies run logs to CloudWatch Logs, one log stream per run (`runs/<runId>`). The database stays
 * the source of truth; this sink buffers in memory up to a bound and ships on a timer, so a slow
 * or failing CloudWatch never slows a worker's log upload.
 */
export class CloudWatchLogsSink implements LogSink {
  private buffered = new Map<string, InputLogEvent[]>();
  private count = 0;
  private readonly created = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: CloudWatchLogsSinkOptions,
  ) {}

  write(runId: string, lines: LogLine[]): void {
    const stream = `runs/${runId}`;
    let events = this.buffered.get(stream);
    if (!events) this.buffered.set(stream, (events = []));
    for (const line of lines) events.push({ timestamp: Math.round(line.ts), message: line.stream === 'stderr' ? `[stderr] ${line.text}` : line.text });
    this.count += lines.length;
    const max = this.options.maxBufferedEvents ?? 100_000;
    while (this.count > max) {
      const [oldestStream, oldest] = this.buffered.entries().next().value as [string, InputLogEvent[]];
      const drop = Math.min(oldest.length, this.count - max);
      oldest.splice(0, drop);
      if (oldest.length === 0) this.buffered.delete(oldestStream);
      this.count -= drop;
      this.dropped += drop;
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Ships everything buffered now; calls never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.ship());
    return this.flushing;
  }

  private async ship(): Promise<void> {
    const pending = this.buffered;
    this.buffered = new Map();
    this.count = 0;
    for (const [stream, events] of pending) {
      try {
        if (!this.created.has(stream)) {
          await this.client.send(new CreateLogStreamCommand({ logGroupName: this.options.logGroup, logStreamName: stream })).catch((error: { name?: string }) => {
            if (error.name !== 'ResourceAlreadyExistsException') throw error;
          });
          this.created.add(stream);
        }
        for (const batch of batchLogEvents(events)) {
          await this.client.send(new PutLogEventsCommand({ logGroupName: this.options.logGroup, logStreamName: stream, logEvents: batch }));
        }
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
