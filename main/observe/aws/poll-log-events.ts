import { type CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LineBatcher } from '../line-batcher.js';
import { sleep } from '../../../lib/retry.js';

export interface LogGroupQuery {
  groupName: string;
  streams?: readonly string[];
  filterPattern?: string;
}

/** Events arrive in CloudWatch up to seconds after their timestamp; each poll looks back this far again. */
const OVERLAP_MS = 15_000;
const MAX_PAGES_PER_POLL = 20;

function request(q: LogGroupQuery, startTime: number, endTime?: number, nextToken?: string) {
  return new FilterLogEventsCommand({
    logGroupName: q.groupName,
    startTime,
    ...(endTime !== undefined ? { endTime } : {}),
    ...(q.streams && q.streams.length > 0 ? { logStreamNames: [...q.streams] } : {}),
    ...(q.filterPattern ? { filterPattern: q.filterPattern } : {}),
    ...(nextToken ? { nextToken } : {}),
  });
}

/**
 * Events of a range, oldest first, following nextToken; at most `limit`, and messages of at most
 * `maxChars` in all (an event may be 256 KB: a count alone does not bound the memory a range takes).
 */
export async function filterLogEvents(logs: CloudWatchLogsClient, q: LogGroupQuery, from: number, to: number | undefined, limit: number, signal?: AbortSignal, maxChars = Number.POSITIVE_INFINITY): Promise<{ events: FilteredLogEvent[]; truncated: boolean }> {
  const events: FilteredLogEvent[] = [];
  let chars = 0;
  let token: string | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const answer = await logs.send(request(q, from, to, token), signal ? { abortSignal: signal } : {});
    for (const e of answer.events ?? []) {
      chars += e.message?.length ?? 0;
      if (events.length >= limit || chars > maxChars) return { events, truncated: true };
      events.push(e);
    }
    // FilterLogEvents may answer an empty page with a token (it searched part of the range): go on.
    if (!answer.nextToken || answer.nextToken === token) break;
    token = answer.nextToken;
  }
  return { events, truncated: false };
}

/**
 * The fallback when Live Tail is refused: FilterLogEvents every `pollMs` from a start time that
 * moves with the newest event seen (less an overlap for late arrivals), each event passed on once
 * (by eventId; ids older than the overlap are forgotten, so memory stays flat).
 */
export async function pollLogEvents(logs: CloudWatchLogsClient, q: LogGroupQuery, since: number, batcher: LineBatcher, signal: AbortSignal, pollMs = 2000): Promise<void> {
  let start = since;
  const seen = new Map<string, number>();
  while (!signal.aborted) {
    let token: string | undefined;
    let newest = start;
    for (let page = 0; page < MAX_PAGES_PER_POLL && !signal.aborted; page += 1) {
      const answer = await logs.send(request(q, start, undefined, token), { abortSignal: signal });
      for (const e of answer.events ?? []) {
        const id = e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`;
        if (seen.has(id)) continue;
        const ts = e.timestamp ?? Date.now();
        seen.set(id, ts);
        newest = Math.max(newest, ts);
        batcher.add({ ts, stream: e.logStreamName ?? '', text: (e.message ?? '').replace(/\n$/, '') });
      }
      if (!answer.nextToken || answer.nextToken === token) break;
      token = answer.nextToken;
    }
    start = Math.max(start, newest - OVERLAP_MS);
    for (const [id, ts] of seen) if (ts < start) seen.delete(id);
    await sleep(pollMs, signal).catch(() => undefined);
  }
}
