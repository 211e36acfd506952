import type { Run } from '../../../../common/protocol/index.js';
import { formatDuration, formatTime } from '../format.js';

const STEPS = ['queued', 'leased', 'running', 'done'] as const;

function reached(run: Run): Record<(typeof STEPS)[number], string | null> {
  return { queued: run.createdAt, leased: run.leasedAt, running: run.startedAt, done: run.finishedAt };
}

/** queued → leased → running → done, with when each happened and, while queued, why it waits. */
export function StateTimeline({ run }: { run: Run }) {
  const times = reached(run);
  const finished = run.finishedAt !== null;
  const current = finished ? 'done' : run.state === 'queued' ? 'queued' : run.state === 'leased' ? 'leased' : 'running';
  return (
    <div className="rs-timeline-wrap">
      <ol className="rs-timeline" aria-label="Run timeline">
        {STEPS.map((step, i) => {
          const at = times[step];
          const status = step === current ? 'current' : at ? 'done' : 'pending';
          const label = step === 'done' && finished ? run.state : step;
          const previous = i > 0 ? times[STEPS[i - 1]!] : null;
          return (
            <li key={step} className={`rs-timeline__step rs-timeline__step--${status}`} data-state={step} aria-current={status === 'current' ? 'step' : undefined}>
              <span className="rs-timeline__dot" aria-hidden="true" />
              <span className="rs-timeline__label">{label}</span>
              <span className="rs-timeline__time">{at ? formatTime(at) : '—'}</span>
              {at && previous ? <span className="rs-timeline__delta">+{formatDuration(Date.parse(at) - Date.parse(previous))}</span> : null}
            </li>
          );
        })}
      </ol>
      {run.state === 'queued' && run.waitingReason ? (
        <p className="rs-timeline__waiting" role="status">
          Waiting: {run.waitingReason}
        </p>
      ) : null}
      {run.cancelRequested && !finished ? <p className="rs-timeline__waiting">Cancel requested; the worker stops the run at its next heartbeat.</p> : null}
      {run.error ? <p className="rs-timeline__error">{run.error}</p> : null}
    </div>
  );
}
