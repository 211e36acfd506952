import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { LogLine } from '../../../../common/protocol/index.js';
import { countLogs, followLogs, readLogs, searchLogs } from '../../../../common/api/runs.contract.js';
import { useApiClient } from '../../api/ApiProvider.js';
import type { ApiCallError } from '../../api/client.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { downloadText } from '../download.js';
import { LogStore } from './log-store.js';

export const ROW_HEIGHT = 18;
// Browsers cap an element's height (~33M px in Chromium); past this the scrollbar maps onto lines
// proportionally instead of one row per 18 px.
const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 20;

export interface LogViewProps {
  runId: string;
  /** Whether the run may still log: the view then follows new lines as they come. */
  live: boolean;
}

interface Geometry {
  first: number;
  count: number;
  blockTop: number;
  height: number;
}

function geometry(total: number, scrollTop: number, viewport: number): Geometry {
  const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const natural = total * ROW_HEIGHT;
  if (natural <= MAX_SCROLL_PX) {
    const first = Math.max(1, Math.floor(scrollTop / ROW_HEIGHT) + 1 - OVERSCAN);
    return { first, count: visible + 2 * OVERSCAN, blockTop: (first - 1) * ROW_HEIGHT, height: natural };
  }
  const range = Math.max(1, MAX_SCROLL_PX - viewport);
  const first = Math.max(1, Math.round((Math.min(scrollTop, range) / range) * Math.max(0, total - visible + 1)) + 1);
  return { first, count: visible, blockTop: scrollTop, height: MAX_SCROLL_PX };
}

function scrollTopFor(seq: number, total: number, viewport: number): number {
  const natural = total * ROW_HEIGHT;
  if (natural <= MAX_SCROLL_PX) return Math.max(0, (seq - 1) * ROW_HEIGHT - viewport / 2);
  const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const range = Math.max(1, MAX_SCROLL_PX - viewport);
  return ((Math.max(1, seq - Math.floor(visible / 2)) - 1) / Math.max(1, total - visible + 1)) * range;
}

/**
 * A run's log as a virtualized list: only the rows on screen exist in the page, lines are fetched
 * by chunk around them, and live lines are applied once per animation frame — a million lines
 * open as fast as fifty, and a run printing thousands of lines a second never blocks the window.
 */
export function LogView({ runId, live }: LogViewProps) {
  const client = useApiClient();
  const store = useMemo(
    () => new LogStore((after, limit) => client.call(readLogs, { id: runId, after, limit })),
    [client, runId],
  );
  useSyncExternalStore(store.subscribe, store.getVersion);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const [follow, setFollow] = useState(live);
  const [counted, setCounted] = useState(false);
  const [error, setError] = useState<ApiCallError | Error | undefined>();
  const followRef = useRef(follow);
  followRef.current = follow;
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

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    setViewport(el.clientHeight || 480);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight || 480));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const total = store.total;
  const geo = geometry(total, scrollTop, viewport);
  const last = Math.min(total || geo.first + geo.count, geo.first + geo.count - 1);
  useEffect(() => store.ensure(geo.first, last), [store, geo.first, last, store.version]);

  // While following, keep the newest line in view after every flush.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !followRef.current) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [store.version, counted]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (followRef.current !== atBottom) setFollow(atBottom);
  }, []);

  const [search, setSearch] = useState<{ query: string; matches: LogLine[]; index: number; truncated: boolean; busy: boolean } | undefined>();
  const [query, setQuery] = useState('');
  const jumpTo = useCallback(
    (seq: number) => {
      const el = scroller.current;
      if (!el) return;
      setFollow(false);
      el.scrollTop = scrollTopFor(seq, store.total, el.clientHeight || viewport);
      setScrollTop(el.scrollTop);
    },
    [store, viewport],
  );
  const runSearch = async () => {
    const q = query.trim();
    if (!q) return setSearch(undefined);
    setSearch({ query: q, matches: [], index: 0, truncated: false, busy: true });
    try {
      const found = await client.call(searchLogs, { id: runId, query: q });
      setSearch({ query: q, matches: found.matches, index: 0, truncated: found.truncated, busy: false });
      if (found.matches[0]) jumpTo(found.matches[0].seq);
    } catch (e) {
      setSearch(undefined);
      setError(e as ApiCallError);
    }
  };
  const step = (delta: number) => {
    if (!search || search.matches.length === 0) return;
    const index = (search.index + delta + search.matches.length) % search.matches.length;
    setSearch({ ...search, index });
    jumpTo(search.matches[index]!.seq);
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

  const current = search?.matches[search.index]?.seq;
  const rows = [];
  for (let seq = geo.first; seq <= last; seq += 1) {
    const line = store.line(seq);
    rows.push(
      // Keyed by position in the window, not by seq: while following, each frame shifts the
      // window, and updating the text of the same rows is far cheaper than replacing them.
      <div
        key={seq - geo.first}
        className={`rs-log__row${line?.stream === 'stderr' ? ' rs-log__row--stderr' : ''}${seq === current ? ' rs-log__row--match' : ''}`}
        data-log-row={seq}
      >
        <span className="rs-log__seq">{seq}</span>
        <span className="rs-log__text">{line ? line.text : '…'}</span>
      </div>,
    );
  }

  const loadError = error ?? store.error;
  return (
    <section className="rs-log" aria-label="Log">
      <div className="rs-log__toolbar">
        <form
          className="rs-log__search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void runSearch();
          }}
        >
          <input className="input" aria-label="Search the log" placeholder="Search the log" value={query} onChange={(e) => setQuery(e.target.value)} />
          <Button type="submit" size="sm" busy={search?.busy ?? false}>
            Search
          </Button>
          {search && !search.busy ? (
            <>
              <span className="rs-log__matches" aria-live="polite">
                {search.matches.length === 0 ? 'No match' : `${search.index + 1} of ${search.matches.length}${search.truncated ? '+' : ''}`}
              </span>
              <Button size="sm" variant="ghost" onClick={() => step(-1)} disabled={search.matches.length === 0} aria-label="Previous match">
                ↑
              </Button>
              <Button size="sm" variant="ghost" onClick={() => step(1)} disabled={search.matches.length === 0} aria-label="Next match">
                ↓
              </Button>
            </>
          ) : null}
        </form>
        <span className="rs-log__count" aria-live="off">
          {total.toLocaleString()} lines{store.done ? '' : ' · live'}
        </span>
        <Button size="sm" variant={follow ? 'primary' : 'secondary'} aria-pressed={follow} onClick={() => setFollow(!follow)}>
          Follow
        </Button>
        <Button size="sm" onClick={() => void download()} busy={downloading}>
          Download
        </Button>
      </div>
      {loadError ? <ErrorBanner title="Could not read the log" error={loadError} /> : null}
      <div className="rs-log__scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="Log lines" data-testid="log-scroller">
        {!counted && total === 0 && !loadError ? <Loading label="Reading the log…" /> : null}
        {counted && total === 0 ? <p className="rs-log__empty">{store.done ? 'This run logged nothing.' : 'No output yet; lines appear here as the run prints them.'}</p> : null}
        <div className="rs-log__spacer" style={{ height: geo.height }}>
          <div className="rs-log__block" style={{ transform: `translateY(${geo.blockTop}px)` }}>
            {total > 0 ? rows : null}
          </div>
        </div>
      </div>
    </section>
  );
}
