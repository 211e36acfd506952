import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { LogLine } from '../../../../common/protocol/index.js';
import { countLogs, followLogs, readLogs, searchLogs } from '../../../../common/api/runs.contract.js';
import { useApiClient } from '../../api/ApiProvider.js';
import type { ApiCallError } from '../../api/client.js';
import { downloadText } from '../download.js';
import { LogStore } from './log-store.js';

export interface LogSearch {
  query: string;
  matches: LogLine[];
  /** Which match is the current one. */
  index: number;
  /** The platform found more matches than it answered. */
  truncated: boolean;
  busy: boolean;
}

export interface LogModel {
  /** The lines, fetched by chunk around what the view asks for and fed live while the run logs. */
  store: LogStore;
  /** Whether the log has been counted, so an empty log is known to be empty. */
  counted: boolean;
  /** Why the log (or a search, or a download) could not be read. */
  error: ApiCallError | Error | undefined;
  /** Keep the newest line in view. */
  follow: boolean;
  setFollow(follow: boolean): void;
  query: string;
  setQuery(query: string): void;
  search: LogSearch | undefined;
  /** Searches the whole log for the query; answers the seq of the first match, if any. */
  runSearch(): Promise<number | undefined>;
  /** Moves to the next (1) or previous (-1) match, around the ends; answers its seq. */
  step(delta: number): number | undefined;
  downloading: boolean;
  /** Saves the whole log as a text file, read page by page. */
  download(): Promise<void>;
}

/** A run's log as data: counting it, following it while the run may still log, searching and downloading it. */
export function useLogModel(runId: string, live: boolean): LogModel {
  const client = useApiClient();
  const store = useMemo(
    () => new LogStore((after, limit) => client.call(readLogs, { id: runId, after, limit })),
    [client, runId],
  );
  useSyncExternalStore(store.subscribe, store.getVersion);
  const [follow, setFollow] = useState(live);
  const [counted, setCounted] = useState(false);
  const [error, setError] = useState<ApiCallError | Error | undefined>();
  // The view may open before the run is read; once it is known to be live, follow it.
  useEffect(() => {
    if (live) setFollow(true);
  }, [live]);

  // Size the view (count the lines), then follow from the last one while the run may still log.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    client.call(countLogs, { id: runId }).then(
      ({ total, done }) => {
        if (cancelled) return;
        store.setTotal(total, done);
        setCounted(true);
        if (done) return;
        stop = client.subscribe(
          followLogs,
          { id: runId, after: total },
          (batch) => {
            if (batch.lines.length > 0) store.append(batch.lines);
            if (batch.end) store.markDone();
          },
          (e) => setError(e),
        );
      },
      (e: ApiCallError) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
      stop?.();
      store.dispose();
    };
  }, [client, runId, store]);

  const [search, setSearch] = useState<LogSearch | undefined>();
  const [query, setQuery] = useState('');
  const runSearch = async (): Promise<number | undefined> => {
    const q = query.trim();
    if (!q) {
      setSearch(undefined);
      return undefined;
    }
    setSearch({ query: q, matches: [], index: 0, truncated: false, busy: true });
    try {
      const found = await client.call(searchLogs, { id: runId, query: q });
      setSearch({ query: q, matches: found.matches, index: 0, truncated: found.truncated, busy: false });
      return found.matches[0]?.seq;
    } catch (e) {
      setSearch(undefined);
      setError(e as ApiCallError);
      return undefined;
    }
  };
  const step = (delta: number): number | undefined => {
    if (!search || search.matches.length === 0) return undefined;
    const index = (search.index + delta + search.matches.length) % search.matches.length;
    setSearch({ ...search, index });
    return search.matches[index]!.seq;
  };

  const [downloading, setDownloading] = useState(false);
  const download = async () => {
    setDownloading(true);
    try {
      const parts: string[] = [];
      let after = 0;
      for (let pages = 0; pages < 100_000; pages += 1) {
        const page = await client.call(readLogs, { id: runId, after, limit: 10_000 });
        for (const l of page.items) parts.push(l.text, '\n');
        if (page.items.length === 0) break;
        after = page.next;
      }
      downloadText(`${runId}.log`, parts.join(''), 'text/plain');
    } catch (e) {
      setError(e as ApiCallError);
    } finally {
      setDownloading(false);
    }
  };

  return { store, counted, error: error ?? store.error, follow, setFollow, query, setQuery, search, runSearch, step, downloading, download };
}
