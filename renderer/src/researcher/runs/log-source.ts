import type { LogLine } from '../../../../common/protocol/index.js';
import { countLogs, followLogs, readLogs, searchLogs } from '../../../../common/api/runs.contract.js';
import type { ApiClient } from '../../api/client.js';
import type { LinePage, SeqLine } from './log-store.js';

/**
 * Where a log view's lines come from: a run's log on the platform, or a followed log group
 * (renderer/src/observe). The view, its store and its scrolling are the same for both.
 */
export interface LogSource<L extends SeqLine = LogLine> {
  /** A new key is a new log: the view starts again with an empty store. */
  key: string;
  read(after: number, limit: number): Promise<LinePage<L>>;
  count(): Promise<{ total: number; done: boolean }>;
  /** New lines after `after` while the log may grow; answers what stops following. */
  follow(after: number, onLines: (lines: L[], done: boolean) => void, onError: (error: Error) => void): () => void;
  search(query: string): Promise<{ matches: L[]; truncated: boolean }>;
  /** The whole log (or the chosen range) as a file. */
  download(): Promise<{ name: string; text: string }>;
}

/** A run's log through the app's run calls (the platform keeps it). */
export function runLogSource(client: ApiClient, runId: string): LogSource<LogLine> {
  return {
    key: `run:${runId}`,
    read: (after, limit) => client.call(readLogs, { id: runId, after, limit }),
    count: () => client.call(countLogs, { id: runId }),
    follow: (after, onLines, onError) =>
      client.subscribe(
        followLogs,
        { id: runId, after },
        (batch) => onLines(batch.lines, batch.end !== undefined),
        (e) => onError(e),
      ),
    search: (query) => client.call(searchLogs, { id: runId, query }),
    download: async () => {
      const parts: string[] = [];
      let after = 0;
      for (let pages = 0; pages < 100_000; pages += 1) {
        const page = await client.call(readLogs, { id: runId, after, limit: 10_000 });
        for (const l of page.items) parts.push(l.text, '\n');
        if (page.items.length === 0) break;
        after = page.next;
      }
      return { name: `${runId}.log`, text: parts.join('') };
    },
  };
}
