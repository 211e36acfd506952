import type { ObservedLine } from '../../common/api/observe.contract.js';

export interface Batch {
  lines: ObservedLine[];
  mode?: 'live-tail' | 'polling' | 'file';
  sampled?: boolean;
  notice?: string;
}

/**
 * Numbers the lines of one follow (seq 1, 2, 3, …) and hands them on at most once per `flushMs`:
 * a log group writing 500 lines a second costs the window ten messages a second, not 500.
 * Notices and a change of mode go out with the next batch (or alone, at once).
 */
export class LineBatcher {
  private seq = 0;
  private pending: ObservedLine[] = [];
  private extra: Omit<Batch, 'lines'> = {};
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly emit: (batch: Batch) => void,
    private readonly flushMs = 100,
    private readonly maxBatch = 5000,
  ) {}

  add(line: { ts: number; stream: string; text: string }): void {
    this.seq += 1;
    this.pending.push({ seq: this.seq, ...line });
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends `extra` (mode, sampled, notice) with the lines waiting, now. */
  tell(extra: Omit<Batch, 'lines'>): void {
    this.extra = { ...this.extra, ...extra };
    this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 && Object.keys(this.extra).length === 0) return;
    const batch: Batch = { lines: this.pending, ...this.extra };
    this.pending = [];
    this.extra = {};
    this.emit(batch);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Whether a line matches a CloudWatch-style text filter pattern: every term must appear
 * ("quoted phrases" as a whole), `-term` must not; case-insensitive. An empty pattern matches all.
 * JSON and space-delimited patterns ({ $.x = … }, [a, b]) are CloudWatch's only; the sandbox
 * refuses them rather than guessing.
 */
export function textFilter(pattern: string | undefined): (text: string) => boolean {
  const p = (pattern ?? '').trim();
  if (!p) return () => true;
  const terms = [...p.matchAll(/(-?)"([^"]*)"|(-?)(\S+)/g)].map((m) => ({ not: (m[1] ?? m[3]) === '-', text: (m[2] ?? m[4] ?? '').toLowerCase() })).filter((t) => t.text);
  return (text) => {
    const lower = text.toLowerCase();
    return terms.every((t) => lower.includes(t.text) !== t.not);
  };
}
