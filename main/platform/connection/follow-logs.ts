import type { PlatformClient } from '../../../lib/protocol/client.js';
import type { LogLine, RunState } from '../../../common/protocol/index.js';
import { Backoff, sleep } from '../../../lib/retry.js';

export interface LogBatch {
  lines: LogLine[];
  end?: RunState;
}

export interface FollowOptions {
  after: number;
  signal: AbortSignal;
  /** Longest a line waits before its batch is sent. */
  flushMs?: number;
  /** A batch is sent as soon as it holds this many lines. */
  maxBatch?: number;
  /** Reconnects after a dropped stream before giving up. */
  maxReconnects?: number;
}

/**
 * Follows a run's live log (platform SSE) and hands it on in batches: one message per flush
 * interval, not one per line, so a run printing 10,000 lines a second costs the window a few
 * dozen messages a second. A dropped stream resumes from the last seq received (no gap, no
 * duplicate); resolves after the `end` batch or when `signal` aborts.
 */
export async function followLogs(client: Pick<PlatformClient, 'streamLogs'>, runId: string, emit: (batch: LogBatch) => void, options: FollowOptions): Promise<void> {
  const flushMs = options.flushMs ?? 100;
  const maxBatch = options.maxBatch ?? 5000;
  let last = options.after;
  let pending: LogLine[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (end?: RunState) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 && !end) return;
    const lines = pending;
    pending = [];
    emit(end ? { lines, end } : { lines });
  };
  // Every reconnect waits, longer each time nothing came in between; only errors count towards giving up.
  const reconnect = new Backoff({ baseMs: 250, maxMs: 5000 });
  let failures = 0;
  try {
    while (!options.signal.aborted) {
      try {
        for await (const event of client.streamLogs(runId, { after: last, signal: options.signal })) {
          failures = 0;
          reconnect.succeed();
          if (event.type === 'end') {
            flush(event.state);
            return;
          }
          if (event.line.seq <= last) continue;
          last = event.line.seq;
          pending.push(event.line);
          if (pending.length >= maxBatch) flush();
          else timer ??= setTimeout(() => flush(), flushMs);
        }
      } catch (error) {
        if (options.signal.aborted) return;
        failures += 1;
        if (failures > (options.maxReconnects ?? 5)) throw error;
      }
      flush();
      try {
        await sleep(reconnect.fail(), options.signal);
      } catch {
        return;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
}
