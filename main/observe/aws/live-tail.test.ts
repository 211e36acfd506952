import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand, type StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Batch, LineBatcher } from '../line-batcher.js';
import { followStackLogs } from './live-tail.js';

const logs = mockClient(CloudWatchLogsClient);
const GROUP = '/benchtop/lab/services';
const ARN = `arn:aws:logs:eu-west-1:210987654321:log-group:${GROUP}`;

beforeEach(() => logs.reset());

async function* stream(events: StartLiveTailResponseStream[]): AsyncIterable<StartLiveTailResponseStream> {
  for (const e of events) yield e;
}

const update = (messages: string[], sampled = false): StartLiveTailResponseStream => ({
  sessionUpdate: { sessionMetadata: { sampled }, sessionResults: messages.map((message, i) => ({ message, timestamp: 1000 + i, logStreamName: 'i-1/services' })) },
});

function follow(signal: AbortSignal, pollMs = 5) {
  const batches: Batch[] = [];
  const batcher = new LineBatcher((b) => batches.push(b), 1);
  const done = followStackLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }), { groupName: GROUP, groupArn: ARN, since: 0, batcher, signal, pollMs, filterPattern: 'ERROR' }).then(() => batcher.flush());
  const texts = () => batches.flatMap((b) => b.lines.map((l) => l.text));
  return { batches, done, texts };
}

describe('following a stack log group', () => {
  it('backfills, then follows Live Tail, says when it samples, and starts a new session after SessionTimeoutException', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [{ eventId: 'old', message: 'ERROR old\n', timestamp: 500, logStreamName: 'i-1/services' }] });
    const controller = new AbortController();
    let sessions = 0;
    logs.on(StartLiveTailCommand).callsFake(() => {
      sessions += 1;
      if (sessions === 1) return { responseStream: stream([{ sessionStart: { sessionId: 's1' } }, update(['ERROR one']), update(['ERROR two'], true), { SessionTimeoutException: { name: 'SessionTimeoutException', message: 'Session timed out', $fault: 'client' } as never }]) };
      controller.abort();
      return { responseStream: stream([{ sessionStart: { sessionId: 's2' } }, update(['ERROR three'])]) };
    });
    const { batches, done, texts } = follow(controller.signal);
    await done;
    expect(texts()).toEqual(['ERROR old', 'ERROR one', 'ERROR two', 'ERROR three']);
    expect(sessions).toBe(2);
    expect(batches.find((b) => b.sampled === true)?.notice).toMatch(/500 events a second/);
    expect(batches.some((b) => b.mode === 'live-tail')).toBe(true);
    expect(batches.some((b) => b.notice?.includes('3-hour limit'))).toBe(true);
    const input = logs.commandCalls(StartLiveTailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ logGroupIdentifiers: [ARN], logEventFilterPattern: 'ERROR' });
    expect(batches.flatMap((b) => b.lines.map((l) => l.seq))).toEqual([1, 2, 3, 4]);
  });

  it('falls back to polling FilterLogEvents when Live Tail is refused, each event once, the start time moving on', async () => {
    logs.on(StartLiveTailCommand).rejects(Object.assign(new Error('User is not authorized to perform: logs:StartLiveTail'), { name: 'AccessDeniedException' }));
    const controller = new AbortController();
    let polls = 0;
    logs.on(FilterLogEventsCommand).callsFake((input: { startTime: number }) => {
      polls += 1;
      if (polls === 1) return { events: [] };
      if (polls === 2) return { events: [{ eventId: 'a', message: 'ERROR a', timestamp: 20_000 }] };
      if (polls === 3) return { events: [{ eventId: 'a', message: 'ERROR a', timestamp: 20_000 }, { eventId: 'b', message: 'ERROR b', timestamp: 21_000 }] };
      controller.abort();
      return { events: [{ eventId: 'b', message: 'ERROR b', timestamp: 21_000 }], startTimeSeen: input.startTime };
    });
    const { batches, done, texts } = follow(controller.signal);
    await done;
    expect(texts()).toEqual(['ERROR a', 'ERROR b']);
    const notice = batches.find((b) => b.mode === 'polling')?.notice ?? '';
    expect(notice).toContain('AccessDeniedException');
    const starts = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.startTime!);
    expect(starts[3]).toBeGreaterThan(starts[1]!);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input.filterPattern).toBe('ERROR');
  });
});
