import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { geometry, ROW_HEIGHT, scrollTopFor, type Geometry } from './log-geometry.js';
import type { SeqLine } from './log-store.js';
import type { LogModel } from './use-log-model.js';

export interface LogScroll {
  scroller: RefObject<HTMLDivElement | null>;
  geo: Geometry;
  /** Seq of the last row to render. */
  last: number;
  onScroll(): void;
  /** Scrolls line `seq` into the middle of the view and stops following. */
  jumpTo(seq: number): void;
}

/**
 * The virtualized scrolling of a log view: which rows are on screen (and so which chunks the store
 * loads), staying at the bottom while following, and following again once the user scrolls back
 * down there.
 */
export function useLogScroll<L extends SeqLine>({ store, counted, follow, setFollow }: Pick<LogModel<L>, 'store' | 'counted' | 'follow' | 'setFollow'>): LogScroll {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const followRef = useRef(follow);
  followRef.current = follow;

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
  // While following, the rows are the bottom ones from the first render: a live flush then costs
  // one render and one scroll write, not a render, a forced layout (reading scrollHeight) and a
  // second render for the new position (bench/observe.ts: ~10% of the main thread at 500 lines/s).
  const bottom = Math.max(0, geometry(total, 0, viewport).height - viewport);
  const geo = geometry(total, follow ? bottom : scrollTop, viewport, follow ? 0 : undefined);
  const last = Math.min(total || geo.first + geo.count, geo.first + geo.count - 1);
  useEffect(() => store.ensure(geo.first, last), [store, geo.first, last, store.version]);

  // While following, keep the newest line in view after every flush. The position is not kept in
  // state meanwhile (the rows come from `bottom`): that would be a second render per flush.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !followRef.current) return;
    el.scrollTop = bottom;
    // With no rows to spare above the screen, a height the observer has not told yet would show
    // as a gap above the rows; the layout is fresh after the scroll write, so reading it is cheap.
    if (el.clientHeight > 0 && el.clientHeight !== viewport) setViewport(el.clientHeight);
  }, [store.version, counted, bottom, viewport]);

  // Once following stops (the button), the rows come from where the view really is.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && !follow) setScrollTop(el.scrollTop);
  }, [follow]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    // Following and still at the bottom: the scroll was ours, after a flush.
    if (followRef.current && atBottom) return;
    setScrollTop(el.scrollTop);
    if (followRef.current !== atBottom) setFollow(atBottom);
  }, [setFollow]);

  const jumpTo = useCallback(
    (seq: number) => {
      const el = scroller.current;
      if (!el) return;
      setFollow(false);
      el.scrollTop = scrollTopFor(seq, store.total, el.clientHeight || viewport);
      setScrollTop(el.scrollTop);
    },
    [store, viewport, setFollow],
  );

  return { scroller, geo, last, onScroll, jumpTo };
}
