import type { LogLineUpload } from '../../common/protocol/logs.js';
import type { Db } from './db.js';
import type { RunLimits } from '../../common/limits.js';
import { bytesText } from './run-limits.js';

interface Usage {
  lines: number;
  bytes: number;
  /** Last seq of the head (the lines always kept), once the log has outgrown half its limits. */
  head_end: number | null;
  head_bytes: number | null;
  dropped_lines: number;
  dropped_bytes: number;
}

/** Every marker line starts so: what a reader greps for to know part of a log is missing. */
export const LOG_GAP_PREFIX = '[benchtop] ';
const STDERR = 2;
const TRIM_PAGE = 1000;

const lineBytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Bounds each run's stored log. The first half of the limits is the head, kept whole; past it the
 * latest lines are kept, and the oldest lines after the head are dropped as new ones arrive. The
 * first dropped line becomes the marker (stderr, seq just after the head) saying how many lines
 * and bytes are missing there; seqs then jump, so readers paging with `after` see head, marker, tail.
 */
export class LogCap {
  constructor(
    private readonly db: Db,
    private readonly limits: Pick<RunLimits, 'maxLogLines' | 'maxLogBytes'>,
  ) {}

  /** Runs in the write that stored `lines` as seq `firstSeq`...: counts them and trims the tail. */
  afterAppend(runN: number, firstSeq: number, lines: readonly LogLineUpload[]): void {
    if (lines.length === 0) return;
    const usage = this.usage(runN, firstSeq);
    const halfLines = Math.floor(this.limits.maxLogLines / 2);
    const halfBytes = Math.floor(this.limits.maxLogBytes / 2);
    if (usage.head_end === null && (usage.lines > halfLines || usage.bytes > halfBytes)) {
      usage.head_end = firstSeq - 1;
      usage.head_bytes = usage.bytes;
    }
    lines.forEach((line, i) => {
      const bytes = lineBytes(line.text);
      if (usage.head_end === null && (usage.lines + 1 > halfLines || usage.bytes + bytes > halfBytes)) {
        usage.head_end = firstSeq + i - 1;
        usage.head_bytes = usage.bytes;
      }
      usage.lines += 1;
      usage.bytes += bytes;
    });
    if (usage.lines > this.limits.maxLogLines || usage.bytes > this.limits.maxLogBytes) this.trim(runN, usage, firstSeq + lines.length - 1);
    this.db
      .prepare(
        `INSERT INTO log_usage (run_n, lines, bytes, head_end, head_bytes, dropped_lines, dropped_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_n) DO UPDATE SET lines = excluded.lines, bytes = excluded.bytes, head_end = excluded.head_end,
           head_bytes = excluded.head_bytes, dropped_lines = excluded.dropped_lines, dropped_bytes = excluded.dropped_bytes`,
      )
      .run(runN, usage.lines, usage.bytes, usage.head_end, usage.head_bytes, usage.dropped_lines, usage.dropped_bytes);
  }

  private usage(runN: number, firstSeq: number): Usage {
    const stored = this.db.prepare('SELECT lines, bytes, head_end, head_bytes, dropped_lines, dropped_bytes FROM log_usage WHERE run_n = ?').get(runN) as Usage | undefined;
    if (stored) return stored;
    // A run whose log began before these counts existed: count what it has once.
    const earlier = this.db
      .prepare('SELECT count(*) AS lines, coalesce(sum(length(CAST(text AS BLOB))), 0) AS bytes FROM logs WHERE run_n = ? AND seq < ?')
      .get(runN, firstSeq) as { lines: number; bytes: number };
    return { ...earlier, head_end: null, head_bytes: null, dropped_lines: 0, dropped_bytes: 0 };
  }

  /** Drops the oldest lines after the head (never the newest) until the log is within its limits. */
  private trim(runN: number, usage: Usage, newestSeq: number): void {
    const headEnd = usage.head_end ?? 0;
    const marker = headEnd + 1;
    const hasMarker = usage.dropped_lines > 0;
    let after = hasMarker ? marker : headEnd;
    let lastDropped: number | null = null;
    const over = () => usage.lines > this.limits.maxLogLines || usage.bytes > this.limits.maxLogBytes;
    while (over()) {
      const rows = this.db
        .prepare('SELECT seq, length(CAST(text AS BLOB)) AS bytes FROM logs WHERE run_n = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?')
        .all(runN, after, newestSeq, TRIM_PAGE) as Array<{ seq: number; bytes: number }>;
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!over()) break;
        usage.lines -= 1;
        usage.bytes -= row.bytes;
        usage.dropped_lines += 1;
        usage.dropped_bytes += row.bytes;
        lastDropped = row.seq;
      }
      after = rows.at(-1)!.seq;
    }
    if (lastDropped === null) return;
    // The first line ever dropped is the marker's place; later drops only widen the gap behind it.
    if (lastDropped > marker) this.db.prepare('DELETE FROM logs WHERE run_n = ? AND seq > ? AND seq <= ?').run(runN, marker, lastDropped);
    const text =
      `${LOG_GAP_PREFIX}${usage.dropped_lines} lines (${bytesText(usage.dropped_bytes)}) of this run's log were dropped here: ` +
      `it is over its limit of ${this.limits.maxLogLines} lines or ${bytesText(this.limits.maxLogBytes)}; the first and the latest lines are kept`;
    this.db.prepare('UPDATE logs SET stream = ?, text = ? WHERE run_n = ? AND seq = ?').run(STDERR, text, runN, marker);
  }
}
