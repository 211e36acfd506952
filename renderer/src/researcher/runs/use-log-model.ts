import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { LogLine } from '../../../../common/protocol/index.js';
import type { ApiCallError } from '../../api/client.js';
import { downloadText } from '../download.js';
import type { LogSource } from './log-source.js';
import { LogStore, type SeqLine } from './log-store.js';

export interface LogSearch<L extends SeqLine = LogLine> {
  query: string;
  matches: L[];
  /** Which match is the current one. */
  index: number;
  /** The source found more matches than it answered. */
  truncated: boolean;
  busy: boolean;
}

export interface LogModel<L extends SeqLine = LogLine> {
  /** The lines, fetched by chunk around what the view asks for and fed live while the log grows. */
  store: LogStore<L>;
  /** Whether the log has been counted, so an empty log is known to be empty. */
  counted: boolean;
  /** Why the log (or a search, or a download) could not be read. */
  error: ApiCallError | Error | undefined;
  /** Keep the newest line in view. */
  follow: boolean;
  setFollow(follow: boolean): void;
  query: string;
  setQuery(query: string): void;
  search: LogSearch<L> | undefined;
  /** Searches the whole log for the query; answers the seq of the first match, if any. */
  runSearch(): Promise<number | undefined>;
  /** Moves to the next (1) or previous (-1) match, around the ends; answers its seq. */
  step(delta: number): number | undefined;
  downloading: boolean;
  /** Saves the log as a text file. */
  download(): Promise<void>;
}

export interface LogModelOptions {
  /** Chunks of 500 lines the store may hold; fewer for an endless live log, so memory stays flat. */
  maxChunks?: number;
  /** How often live lines are applied, at most (default 100 ms). */
  liveIntervalMs?: number;
}

/** A log as data: counting it, following it while it may grow, searching and downloading it. */
export function useLogModel<L extends SeqLine>(source: LogSource<L>, live: boolean, options: LogModelOptions = {}): LogModel<L> {
  const store = useMemo(
    () => new LogStore<L>((after, limit) => source.read(after, limit), undefined, options.maxChunks, options.liveIntervalMs),
    // The source's key says which log it is: a new source object for the same log keeps the store.
    [source.key, options.maxChunks, options.liveIntervalMs],
  );
  useSyncExternalStore(store.subscribe, store.getVersion);
  const [follow, setFollow] = useState(live);
  const [counted, setCounted] = useState(false);
  const [error, setError] = useState<ApiCallError | Error | undefined>();
  // The view may open before the log is known to be live; once it is, follow it.
  useEffect(() => {
    if (live) setFollow(true);
  }, [live]);

  // Size the view (count the lines), then follow from the last one while the log may grow.
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    source.count().then(
      ({ total, done }) => {
        if (cancelled) return;
        store.setTotal(total, done);
        setCounted(true);
        if (done) return;
        stop = source.follow(
          total,
          (lines, end) => {
            if (lines.length > 0) store.append(lines);
            if (end) store.markDone();
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
    // One follow per store, that is per log (the source of the same key reads the same log).
  }, [store]);

  const [search, setSearch] = useState<LogSearch<L> | undefined>();
  const [query, setQuery] = useState('');
  const runSearch = async (): Promise<number | undefined> => {
    const q = query.trim();
    if (!q) {
      setSearch(undefined);
      return undefined;
    }
    setSearch({ query: q, matches: [], index: 0, truncated: false, busy: true });
    try {
      const found = await source.search(q);
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
      const file = await source.download();
      downloadText(file.name, file.text, 'text/plain');
    } catch (e) {
      setError(e as ApiCallError);
    } finally {
      setDownloading(false);
    }
  };

  return { store, counted, error: error ?? store.error, follow, setFollow, query, setQuery, search, runSearch, step, downloading, download };
}
