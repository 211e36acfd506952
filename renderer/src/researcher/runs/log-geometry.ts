/** Height of one log row, px (the stylesheet's .rs-log__row matches it). */
export const ROW_HEIGHT = 18;
// Browsers cap an element's height (~33M px in Chromium); past this the scrollbar maps onto lines
// proportionally instead of one row per 18 px.
const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 20;

/** Which rows exist in the page for a scroll position, and where they sit. */
export interface Geometry {
  /** Seq of the first row rendered. */
  first: number;
  count: number;
  /** Offset of the rendered block within the spacer, px. */
  blockTop: number;
  /** Height of the spacer that gives the scrollbar its range, px. */
  height: number;
}

/**
 * `overscan` rows above and below the screen make scrolling show lines at once; a view pinned to
 * the bottom of a live log asks for none, since every flush replaces what is on screen anyway.
 */
export function geometry(total: number, scrollTop: number, viewport: number, overscan = OVERSCAN): Geometry {
  const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const natural = total * ROW_HEIGHT;
  if (natural <= MAX_SCROLL_PX) {
    const first = Math.max(1, Math.floor(scrollTop / ROW_HEIGHT) + 1 - overscan);
    return { first, count: visible + 2 * overscan, blockTop: (first - 1) * ROW_HEIGHT, height: natural };
  }
  const range = Math.max(1, MAX_SCROLL_PX - viewport);
  const first = Math.max(1, Math.round((Math.min(scrollTop, range) / range) * Math.max(0, total - visible + 1)) + 1);
  return { first, count: visible, blockTop: scrollTop, height: MAX_SCROLL_PX };
}

/** The scroll position that puts line `seq` in the middle of the view. */
export function scrollTopFor(seq: number, total: number, viewport: number): number {
  const natural = total * ROW_HEIGHT;
  if (natural <= MAX_SCROLL_PX) return Math.max(0, (seq - 1) * ROW_HEIGHT - viewport / 2);
  const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
  const range = Math.max(1, MAX_SCROLL_PX - viewport);
  return ((Math.max(1, seq - Math.floor(visible / 2)) - 1) / Math.max(1, total - visible + 1)) * range;
}
