import { type CloudWatchLogsClient, StartLiveTailCommand, type StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import type { LineBatcher } from '../line-batcher.js';
import { filterLogEvents, type LogGroupQuery, pollLogEvents } from './poll-log-events.js';

export interface StackFollowOptions extends LogGroupQuery {
  /** Live Tail names log groups by ARN only (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html). */
  groupArn: string;
  since: number;
  batcher: LineBatcher;
  signal: AbortSignal;
  pollMs?: number;
}

const BACKFILL_LIMIT = 2000;
/** Live Tail sessions end after 3 hours with SessionTimeoutException; start a new one, a bounded number of times. */
const MAX_SESSIONS = 50;

class SessionTimeout extends Error {}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}

function describe(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && !message.startsWith(name) ? `${name}: ${message}` : message;
}

/**
 * Follows a stack's log group: first the events since `since` (FilterLogEvents), then Live Tail
 * (an event stream of new events). Live Tail samples a group writing more than 500 events a
 * second; the batches say so while it does. A session that times out is started again; one that
 * is refused (permissions, the account's session limit, an endpoint without Live Tail) or breaks
 * falls back to polling, and the view is told why.
 */
export async function followStackLogs(logs: CloudWatchLogsClient, o: StackFollowOptions): Promise<void> {
  const { batcher, signal } = o;
  let from = o.since;
  const backfill = await filterLogEvents(logs, o, o.since, undefined, BACKFILL_LIMIT, signal);
  for (const e of backfill.events) {
    from = Math.max(from, (e.timestamp ?? 0) + 1);
    batcher.add({ ts: e.timestamp ?? Date.now(), stream: e.logStreamName ?? '', text: (e.message ?? '').replace(/\n$/, '') });
  }
  let sampled = false;
  for (let session = 0; session < MAX_SESSIONS && !signal.aborted; session += 1) {
    try {
      const answer = await logs.send(
        new StartLiveTailCommand({
          logGroupIdentifiers: [o.groupArn],
          ...(o.streams && o.streams.length > 0 ? { logStreamNames: [...o.streams] } : {}),
          ...(o.filterPattern ? { logEventFilterPattern: o.filterPattern } : {}),
        }),
        { abortSignal: signal },
      );
      if (!answer.responseStream) throw new Error('Live Tail answered without an event stream.');
      for await (const event of answer.responseStream as AsyncIterable<StartLiveTailResponseStream>) {
        if (event.sessionStart) batcher.tell({ mode: 'live-tail', ...(session > 0 ? { notice: 'The Live Tail session reached its 3-hour limit; a new one was started.' } : {}) });
        if (event.sessionUpdate) {
          const isSampled = event.sessionUpdate.sessionMetadata?.sampled === true;
          if (isSampled !== sampled) {
            sampled = isSampled;
            batcher.tell(sampled ? { sampled: true, notice: 'More than 500 events a second: Live Tail shows a sample of them, not every line.' } : { sampled: false });
          }
          for (const e of event.sessionUpdate.sessionResults ?? []) {
            batcher.add({ ts: e.timestamp ?? Date.now(), stream: e.logStreamName ?? '', text: (e.message ?? '').replace(/\n$/, '') });
            from = Math.max(from, (e.timestamp ?? 0) + 1);
          }
        }
        if (event.SessionTimeoutException) throw new SessionTimeout(event.SessionTimeoutException.message);
        if (event.SessionStreamingException) throw Object.assign(new Error(event.SessionStreamingException.message ?? 'the stream broke'), { name: 'SessionStreamingException' });
      }
      if (signal.aborted) return;
      // The stream ended without saying why: a new session.
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof SessionTimeout || errorName(error) === 'SessionTimeoutException') continue;
      batcher.tell({ mode: 'polling', notice: `Live Tail is not available (${describe(error)}); reading new events every few seconds instead.` });
      await pollLogEvents(logs, o, from, batcher, signal, o.pollMs);
      return;
    }
  }
}
