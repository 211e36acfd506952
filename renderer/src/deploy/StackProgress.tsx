import { useState } from 'react';
import { type DeployStackEvent, type DeployWatchMessage, watchStack } from '../../../common/api/deploy.contract.js';
import { useSubscription } from '../api/hooks.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import type { ApiCallError } from '../api/client.js';
import './deploy.css';

export interface StackProgressProps {
  target: { region: string; profile?: string };
  stackName: string;
  onFinal?: (final: Extract<DeployWatchMessage, { type: 'final' }>) => void;
  /** The stream failed (the stack can no longer be read, say): the caller reads its status again. */
  onError?: (error: ApiCallError) => void;
}

/** Live progress of the stack's current operation: a bar (resources done / planned) and the events. */
export function StackProgress({ target, stackName, onFinal, onError }: StackProgressProps) {
  const [events, setEvents] = useState<DeployStackEvent[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number; status: string }>();
  const [final, setFinal] = useState<Extract<DeployWatchMessage, { type: 'final' }>>();
  const [error, setError] = useState<ApiCallError>();
  useSubscription(
    watchStack,
    { target, stackName },
    (m) => {
      if (m.type === 'event') setEvents((list) => (list.some((e) => e.id === m.event.id) ? list : [...list, m.event]));
      else if (m.type === 'progress') setProgress({ done: m.done, total: m.total, status: m.status });
      else {
        setFinal(m);
        onFinal?.(m);
      }
    },
    {
      enabled: final === undefined,
      onError: (e) => {
        setError(e);
        onError?.(e);
      },
    },
  );
  const ratio = progress && progress.total > 0 ? progress.done / progress.total : final?.ok ? 1 : 0;
  return (
    <div className="stack-progress" aria-live="polite">
      <div className="progress" role="progressbar" aria-label={`${stackName} progress`} aria-valuemin={0} aria-valuemax={progress?.total ?? 0} aria-valuenow={progress?.done ?? 0}>
        <div className="progress__bar" style={{ width: `${Math.round(ratio * 100)}%` }} />
      </div>
      <p className="muted">
        {progress ? `${progress.done} of ${progress.total} resources — ${progress.status}` : 'Waiting for the first events…'}
      </p>
      {final ? (
        <p role="status" className={final.ok ? 'stack-progress__done' : 'stack-progress__failed'}>
          {final.ok ? `Finished: ${final.status}` : `Failed: ${final.status}${final.reason ? ` — ${final.reason}` : ''}`}
        </p>
      ) : null}
      {error ? <ErrorBanner title="Could not follow the stack" error={error} /> : null}
      <ol className="events" aria-label="Stack events">
        {events.map((e) => (
          <li key={e.id} className={e.status.endsWith('_FAILED') ? 'events__item--failed' : undefined}>
            {e.timestamp.slice(11, 19)} {e.status} {e.nested ? `${e.stackName}/` : ''}
            {e.logicalId} ({e.resourceType}){e.reason ? ` — ${e.reason}` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
