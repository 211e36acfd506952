import type { ServerResponse } from 'node:http';
import type { LogLine } from '../../common/protocol/logs.js';
import type { Db } from './db.js';
import type { Notifier } from './notifier.js';
import { type RunRow } from './run-record.js';
import { isFinished } from '../../common/protocol/runs.js';

const STREAMS = ['', 'stdout', 'stderr'] as const;

interface LogRow { seq: number; stream: 1 | 2; ts: number; text: string }

export interface FollowOptions {
  after: number;
  /** Lines read from the database per step: the most a follower ever holds in memory. */
  pageSize: number;
  /** A comment goes out after this long without lines, so idle proxies keep the stream open. */
  keepAliveMs: number;
}

/** Reads a run's stored log: pages by seq, and a live SSE follower with bounded memory. */
export class LogsReader {
  constructor(
    private readonly db: Db,
    private readonly changed: Notifier,
  ) {}

  page(runN: number, after: number, limit: number): LogLine[] {
    const rows = this.db.prepare('SELECT seq, stream, ts, text FROM logs WHERE run_n = ? AND seq > ? ORDER BY seq LIMIT ?').all(runN, after, limit) as LogRow[];
    return rows.map((r) => ({ seq: r.seq, stream: STREAMS[r.stream] as 'stdout' | 'stderr', ts: r.ts, text: r.text }));
  }

  private rawPage(runN: number, after: number, limit: number): Array<[number, 1 | 2, number, string]> {
    // Its own SQL text (the comment), because statements are cached and raw mode sticks to one.
    return this.db.prepare('SELECT /* raw */ seq, stream, ts, text FROM logs WHERE run_n = ? AND seq > ? ORDER BY seq LIMIT ?').raw(true).all(runN, after, limit) as Array<[number, 1 | 2, number, string]>;
  }

  private state(runN: number): RunRow['state'] {
    return (this.db.prepare('SELECT state FROM runs WHERE n = ?').get(runN) as { state: RunRow['state'] }).state;
  }

  /**
   * Streams lines after `after` as Server-Sent Events until the run is finished and every line was
   * sent, then an `end` event. Lines are read from the database one page at a time and written
   * only while the socket accepts them (waiting for 'drain'), so a slow reader or a huge log
   * costs one page of memory, never the whole log. Each event id is the line's seq, which is what
   * the browser sends back as Last-Event-ID when it reconnects: no gap, no duplicate.
   */
  async follow(runId: string, runN: number, res: ServerResponse, options: FollowOptions): Promise<void> {
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    let after = options.after;
    while (!closed.signal.aborted) {
      // The state is read before the page: if the run was finished then, this page holds its last lines.
      const state = this.state(runN);
      const rows = this.rawPage(runN, after, options.pageSize);
      if (rows.length > 0) {
        // Built by hand from raw rows: same JSON as a LogLine, without an object per line.
        let chunk = '';
        for (const [seq, stream, ts, text] of rows) {
          chunk += `id: ${seq}\nevent: line\ndata: {"seq":${seq},"stream":"${STREAMS[stream]}","ts":${ts},"text":${JSON.stringify(text)}}\n\n`;
        }
        after = rows.at(-1)![0];
        if (!res.write(chunk)) await drained(res, closed.signal);
        continue;
      }
      if (isFinished(state)) {
        res.end(`event: end\ndata: ${JSON.stringify({ state })}\n\n`);
        return;
      }
      const notified = await this.changed.wait(runId, options.keepAliveMs, closed.signal);
      if (!notified && !closed.signal.aborted) res.write(': keep-alive\n\n');
    }
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
