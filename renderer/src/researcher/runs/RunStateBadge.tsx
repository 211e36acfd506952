import type { RunState } from '../../../../common/protocol/index.js';
import { STATE_TONE } from '../format.js';

export function RunStateBadge({ state }: { state: RunState }) {
  return (
    <span className={`badge rs-state rs-state--${STATE_TONE[state]}`} data-run-state={state}>
      {state}
    </span>
  );
}
