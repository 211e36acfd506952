import { followObservedLogs, type ObservedLine, type ObserveSource } from '../../../common/api/observe.contract.js';
import type { ApiClient } from '../api/client.js';
import type { LogSource } from '../researcher/runs/log-source.js';
import type { LinePage } from '../researcher/runs/log-store.js';
import { logRangeFile } from './log-range-file.js';

export interface FollowQuery {
  source: ObserveSource;
  group: string;
  streams?: string[];
  filterPattern?: string;
  /** Epoch ms the follow starts from. */
  since: number;
}

export interface FollowStatus {
  mode?: 'live-tail' | 'polling' | 'file';
  sampled: boolean;
  notices: string[];
}

/**
 * A followed log group as a log view's source. Nothing is kept in main: the lines live here, the
 * newest `capacity` of them (older ones are dropped, so following for hours keeps memory flat),
 * numbered by main in arrival order; the view's store asks for them by chunk as for a run's log.
 */
export class ObservedLogSource implements LogSource<ObservedLine> {
  readonly key: string;
  private readonly lines: (ObservedLine | undefined)[];
  private newest = 0;
  status: FollowStatus = { sampled: false, notices: [] };
  private readonly statusListeners = new Set<() => void>();

  constructor(
    private readonly client: ApiClient,
    readonly query: FollowQuery,
    private readonly capacity = 50_000,
  ) {
    this.key = JSON.stringify(query);
    this.lines = new Array<ObservedLine | undefined>(capacity);
  }

  onStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  getStatus = (): FollowStatus => this.status;

  /** The oldest seq still held. */
  oldest(): number {
    return Math.max(1, this.newest - this.capacity + 1);
  }

  private hold(line: ObservedLine): void {
    this.lines[line.seq % this.capacity] = line;
    if (line.seq > this.newest) this.newest = line.seq;
  }

  private at(seq: number): ObservedLine | undefined {
    if (seq < this.oldest() || seq > this.newest) return undefined;
    const line = this.lines[seq % this.capacity];
    return line?.seq === seq ? line : undefined;
  }

  read(after: number, limit: number): Promise<LinePage<ObservedLine>> {
    const items: ObservedLine[] = [];
    for (let seq = Math.max(after + 1, this.oldest()); seq <= this.newest && items.length < limit; seq += 1) {
      const line = this.at(seq);
      if (line) items.push(line);
    }
    return Promise.resolve({ items, next: items.at(-1)?.seq ?? after, done: false });
  }

  count(): Promise<{ total: number; done: boolean }> {
    return Promise.resolve({ total: this.newest, done: false });
  }

  follow(_after: number, onLines: (lines: ObservedLine[], done: boolean) => void, onError: (error: Error) => void): () => void {
    const { source, group, streams, filterPattern, since } = this.query;
    return this.client.subscribe(
      followObservedLogs,
      { source, group, since, ...(streams && streams.length > 0 ? { streams } : {}), ...(filterPattern ? { filterPattern } : {}) },
      (batch) => {
        for (const l of batch.lines) this.hold(l);
        if (batch.mode || batch.sampled !== undefined || batch.notice) {
          this.status = {
            mode: batch.mode ?? this.status.mode,
            sampled: batch.sampled ?? this.status.sampled,
            notices: batch.notice ? [...this.status.notices, batch.notice].slice(-5) : this.status.notices,
          };
          for (const l of this.statusListeners) l();
        }
        if (batch.lines.length > 0) onLines(batch.lines, false);
      },
      onError,
    );
  }

  search(query: string): Promise<{ matches: ObservedLine[]; truncated: boolean }> {
    const q = query.toLowerCase();
    const matches: ObservedLine[] = [];
    for (let seq = this.oldest(); seq <= this.newest; seq += 1) {
      const line = this.at(seq);
      if (line && line.text.toLowerCase().includes(q)) matches.push(line);
      if (matches.length >= 1000) return Promise.resolve({ matches, truncated: true });
    }
    return Promise.resolve({ matches, truncated: false });
  }

  /** The range from `since` to now, read again from the source (CloudWatch or the files), not only what is held. */
  download(): Promise<{ name: string; text: string }> {
    return logRangeFile(this.client, this.query, this.query.since, Date.now());
  }
}
