import type { LogLine } from '../../../../common/protocol/index.js';

/** What the store holds: any line with its position (a run's log line, a followed CloudWatch event). */
export interface SeqLine {
  seq: number;
  text: string;
}

/** A page of lines with seq > after, as the run logs API answers it. */
export interface LinePage<L extends SeqLine = LogLine> {
  items: L[];
  next: number;
  done: boolean;
}

/** Lines are fetched and kept in chunks of this many (seq 1..500 is chunk 0). */
export const CHUNK = 500;
const REFETCH_AFTER_MS = 1000;

export type Schedule = (flush: () => void) => void;

/**
 * The lines of one log as a window sees them: only the chunks near what is on screen are
 * held (least recently used ones are dropped), live lines are added as they arrive, and listeners
 * are told at most once per scheduled flush (one animation frame), however many lines came.
 */
export class LogStore<L extends SeqLine = LogLine> {
  total = 0;
  done = false;
  /** Changes whenever what a reader could see changes; for useSyncExternalStore. */
  version = 0;
  private readonly chunks = new Map<number, { lines: (L | undefined)[]; count: number; fetchedAt: number }>();
  private readonly loading = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private pending: L[] = [];
  private scheduled = false;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLiveFlush = 0;
  error: Error | undefined;

  constructor(
    private readonly fetchPage: (after: number, limit: number) => Promise<LinePage<L>>,
    private readonly schedule: Schedule = (f) => requestAnimationFrame(f),
    private readonly maxChunks = 400,
    private readonly liveIntervalMs = 100,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  line(seq: number): L | undefined {
    const chunk = this.chunks.get(Math.floor((seq - 1) / CHUNK));
    return chunk?.lines[(seq - 1) % CHUNK];
  }

  setTotal(total: number, done: boolean): void {
    if (total > this.total) this.total = total;
    this.done = done;
    this.changed();
  }

  /**
   * Live lines (any number); applied together at the next flush, and live flushes come at most
   * every `liveIntervalMs`: nobody reads 10,000 lines a second, and repainting the view ten times a
   * second instead of sixty leaves the window's main thread free for the user.
   */
  append(lines: readonly L[]): void {
    for (const l of lines) this.pending.push(l);
    if (this.liveTimer) return;
    const wait = this.lastLiveFlush + this.liveIntervalMs - Date.now();
    if (wait <= 0) {
      this.lastLiveFlush = Date.now();
      this.changed();
      return;
    }
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.lastLiveFlush = Date.now();
      this.changed();
    }, wait);
  }

  /** Stops a pending live flush (the view went away). */
  dispose(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
  }

  markDone(): void {
    this.done = true;
    this.changed();
  }

  /** Makes sure the lines first..last (seqs) are loaded or loading. */
  ensure(first: number, last: number): void {
    if (this.total === 0 && !this.done) last = Math.max(last, first);
    const from = Math.floor((Math.max(1, first) - 1) / CHUNK);
    const to = Math.floor((Math.max(1, last) - 1) / CHUNK);
    const now = Date.now();
    for (let index = from; index <= to; index += 1) {
      const chunk = this.chunks.get(index);
      if (chunk) {
        // Touch it, so it is the most recently used.
        this.chunks.delete(index);
        this.chunks.set(index, chunk);
      }
      const expected = Math.min(CHUNK, Math.max(0, this.total - index * CHUNK));
      const complete = chunk !== undefined && chunk.count >= expected && (expected === CHUNK || this.done);
      if (complete || this.loading.has(index)) continue;
      if (chunk && now - chunk.fetchedAt < REFETCH_AFTER_MS) continue;
      if (index * CHUNK >= this.total && this.total > 0) continue;
      this.load(index);
    }
  }

  private load(index: number): void {
    this.loading.add(index);
    this.fetchPage(index * CHUNK, CHUNK).then(
      (page) => {
        this.loading.delete(index);
        const chunk = this.chunkAt(index);
        chunk.fetchedAt = Date.now();
        this.put(page.items);
        const last = page.items.at(-1);
        if (last && last.seq > this.total) this.total = last.seq;
        if (page.done && page.items.length < CHUNK) this.done = true;
        this.changed();
      },
      (error: unknown) => {
        this.loading.delete(index);
        this.error = error instanceof Error ? error : new Error(String(error));
        this.changed();
      },
    );
  }

  private chunkAt(index: number) {
    let chunk = this.chunks.get(index);
    if (!chunk) {
      chunk = { lines: new Array<L | undefined>(CHUNK), count: 0, fetchedAt: 0 };
      this.chunks.set(index, chunk);
      this.evict();
    }
    return chunk;
  }

  private put(lines: readonly L[]): void {
    for (const line of lines) {
      const chunk = this.chunkAt(Math.floor((line.seq - 1) / CHUNK));
      const slot = (line.seq - 1) % CHUNK;
      if (chunk.lines[slot] === undefined) chunk.count += 1;
      chunk.lines[slot] = line;
    }
  }

  private evict(): void {
    while (this.chunks.size > this.maxChunks) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
    }
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (this.pending.length > 0) {
        const lines = this.pending;
        this.pending = [];
        this.put(lines);
        const last = lines.at(-1);
        if (last && last.seq > this.total) this.total = last.seq;
      }
      this.version += 1;
      for (const listener of this.listeners) listener();
    });
  }
}
