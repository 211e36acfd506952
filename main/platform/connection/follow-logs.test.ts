import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../common/protocol/index.js';
import type { LogStreamEvent } from '../../../lib/protocol/client.js';
import { followLogs, type LogBatch } from './follow-logs.js';

const line = (seq: number): LogLine => ({ seq, stream: 'stdout', ts: seq, text: `line ${seq}` });

/** A platform whose log stream plays one script per connection; `after` is what each connection asked for. */
function scriptedPlatform(connections: Array<Array<LogStreamEvent | Error>>) {
  const after: Array<number | undefined> = [];
  return {
    after,
    client: {
      async *streamLogs(_id: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<LogStreamEvent> {
        after.push(options.after);
        const script = connections.shift() ?? [new Error('connection refused')];
        for (const step of script) {
          if (step instanceof Error) throw step;
          yield step;
        }
      },
    },
  };
}

describe('followLogs', () => {
  it('resumes a dropped stream from the last line received, without gap or duplicate, until the end', async () => {
    const platform = scriptedPlatform([
      [{ type: 'line', line: line(1) }, { type: 'line', line: line(2) }, new Error('socket hang up')],
      [{ type: 'line', line: line(2) }, { type: 'line', line: line(3) }],
      [{ type: 'line', line: line(4) }, { type: 'end', state: 'succeeded' }],
    ]);
    const batches: LogBatch[] = [];
    await followLogs(platform.client, 'run_1', (b) => batches.push(b), { after: 0, signal: new AbortController().signal, flushMs: 1 });
    expect(platform.after).toEqual([0, 2, 3]);
    expect(batches.flatMap((b) => b.lines.map((l) => l.seq))).toEqual([1, 2, 3, 4]);
    expect(batches.at(-1)?.end).toBe('succeeded');
  });

  it('gives up after maxReconnects errors in a row, with the last error', async () => {
    const platform = scriptedPlatform([]);
    await expect(followLogs(platform.client, 'run_1', () => undefined, { after: 5, signal: new AbortController().signal, maxReconnects: 2 })).rejects.toThrow('connection refused');
    expect(platform.after).toEqual([5, 5, 5]);
  });

  it('counts errors in a row only: a connection that delivers lines starts the count again', async () => {
    const drop = new Error('reset');
    const platform = scriptedPlatform([[drop], [{ type: 'line', line: line(1) }, drop], [{ type: 'end', state: 'failed' }]]);
    const batches: LogBatch[] = [];
    await followLogs(platform.client, 'run_1', (b) => batches.push(b), { after: 0, signal: new AbortController().signal, maxReconnects: 1, flushMs: 1 });
    expect(batches.at(-1)?.end).toBe('failed');
    expect(platform.after).toEqual([0, 0, 1]);
  });

  it('ends without an error when aborted while waiting to reconnect', async () => {
    const platform = scriptedPlatform([]);
    const stop = new AbortController();
    const following = followLogs(platform.client, 'run_1', () => undefined, { after: 0, signal: stop.signal, maxReconnects: 1000 });
    while (platform.after.length === 0) await new Promise((r) => setImmediate(r));
    stop.abort();
    await expect(following).resolves.toBeUndefined();
  });
});
