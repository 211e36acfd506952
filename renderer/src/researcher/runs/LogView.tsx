import { useMemo, type ReactNode } from 'react';
import type { LogLine } from '../../../../common/protocol/index.js';
import { runLogConsoleUrl } from '../../../../common/api/observe.contract.js';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { useApiClient } from '../../api/ApiProvider.js';
import { useCall } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { type LogSource, runLogSource } from './log-source.js';
import type { SeqLine } from './log-store.js';
import { type LogModelOptions, useLogModel } from './use-log-model.js';
import { useLogScroll } from './use-log-scroll.js';

export interface LogViewerProps<L extends SeqLine> {
  source: LogSource<L>;
  /** Whether the log may still grow: the view then follows new lines as they come. */
  live: boolean;
  options?: LogModelOptions;
  /** What an empty log says: once known to be finished, and while it may still grow. */
  emptyText?: { done: string; live: string };
  /** Shown before a line's text (a time, a stream name). */
  prefix?: (line: L) => ReactNode;
  /** Whether the line is drawn as an error line. */
  isError?: (line: L) => boolean;
  /** More toolbar controls (a link, a picker), after the built-in ones. */
  toolbar?: ReactNode;
  label?: string;
}

/**
 * A log as a virtualized list: only the rows on screen exist in the page, lines are fetched
 * by chunk around them, and live lines are applied at most ten times a second — a million lines
 * open as fast as fifty, and a log printing thousands of lines a second never blocks the window.
 * The data lives in useLogModel, the scrolling in useLogScroll; this is what the user sees, for a
 * run's log and for a followed log group alike.
 */
export function LogViewer<L extends SeqLine>({ source, live, options, emptyText, prefix, isError, toolbar, label = 'Log' }: LogViewerProps<L>) {
  const model = useLogModel(source, live, options);
  const { store, counted, error: loadError, follow, setFollow, search, query, setQuery, downloading, download } = model;
  const { scroller, geo, last, onScroll, jumpTo } = useLogScroll(model);
  const total = store.total;
  const runSearch = async () => {
    const seq = await model.runSearch();
    if (seq !== undefined) jumpTo(seq);
  };
  const step = (delta: number) => {
    const seq = model.step(delta);
    if (seq !== undefined) jumpTo(seq);
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
        className={`rs-log__row${line && isError?.(line) ? ' rs-log__row--stderr' : ''}${seq === current ? ' rs-log__row--match' : ''}`}
        data-log-row={seq}
      >
        <span className="rs-log__seq">{seq}</span>
        {line && prefix ? prefix(line) : null}
        <span className="rs-log__text">{line ? line.text : '…'}</span>
      </div>,
    );
  }

  return (
    <section className="rs-log" aria-label={label}>
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
        {toolbar}
      </div>
      {loadError ? <ErrorBanner title="Could not read the log" error={loadError} /> : null}
      <div className="rs-log__scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="Log lines" data-testid="log-scroller">
        {!counted && total === 0 && !loadError ? <Loading label="Reading the log…" /> : null}
        {counted && total === 0 ? (
          <p className="rs-log__empty">{store.done ? (emptyText?.done ?? 'This run logged nothing.') : (emptyText?.live ?? 'No output yet; lines appear here as the run prints them.')}</p>
        ) : null}
        <div className="rs-log__spacer" style={{ height: geo.height }}>
          <div className="rs-log__block" style={{ transform: `translateY(${geo.blockTop}px)` }}>
            {total > 0 ? rows : null}
          </div>
        </div>
      </div>
    </section>
  );
}

export interface LogViewProps {
  runId: string;
  /** Whether the run may still log: the view then follows new lines as they come. */
  live: boolean;
}

/** "Open in CloudWatch Logs" for a run on a deployed stack the app knows; nothing for the sandbox. */
function CloudWatchLink({ runId }: { runId: string }) {
  const status = useCall(platformStatus, undefined, { staleTime: 30_000 });
  const url = status.data?.platform?.kind === 'remote' ? status.data.platform.url : undefined;
  const link = useCall(runLogConsoleUrl, { runId, platformUrl: url ?? '' }, { enabled: url !== undefined, staleTime: Infinity });
  if (!link.data?.url) return null;
  return (
    <a className="button button--secondary button--sm" href={link.data.url} target="_blank" rel="noreferrer">
      Open in CloudWatch Logs
    </a>
  );
}

/** A run's log (the run page's Logs tab). */
export function LogView({ runId, live }: LogViewProps) {
  const client = useApiClient();
  const source = useMemo(() => runLogSource(client, runId), [client, runId]);
  return <LogViewer<LogLine> source={source} live={live} isError={(l) => l.stream === 'stderr'} toolbar={<CloudWatchLink runId={runId} />} />;
}
