import type { ObservedLine } from '../../../common/api/observe.contract.js';

// One formatter for every row: making a date string with toLocaleTimeString builds Intl's
// formatter again each call, which at 500 lines a second is a good part of a frame.
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** What a followed line shows before its text: when it was logged and by which stream. */
export function observedLinePrefix(line: ObservedLine) {
  return (
    <span className="ob-log__meta">
      <time>{TIME.format(line.ts)}</time> <span className="ob-log__stream">{line.stream}</span>
    </span>
  );
}
