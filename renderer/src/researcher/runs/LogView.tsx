import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { useLogModel } from './use-log-model.js';
import { useLogScroll } from './use-log-scroll.js';

export interface LogViewProps {
  runId: string;
  /** Whether the run may still log: the view then follows new lines as they come. */
  live: boolean;
}

/**
 * A run's log as a virtualized list: only the rows on screen exist in the page, lines are fetched
 * by chunk around them, and live lines are applied once per animation frame — a million lines
 * open as fast as fifty, and a run printing thousands of lines a second never blocks the window.
 * The data lives in useLogModel, the scrolling in useLogScroll; this is what the user sees.
 */
export function LogView({ runId, live }: LogViewProps) {
  const model = useLogModel(runId, live);
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
        className={`rs-log__row${line?.stream === 'stderr' ? ' rs-log__row--stderr' : ''}${seq === current ? ' rs-log__row--match' : ''}`}
        data-log-row={seq}
      >
        <span className="rs-log__seq">{seq}</span>
        <span className="rs-log__text">{line ? line.text : '…'}</span>
      </div>,
    );
  }

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
