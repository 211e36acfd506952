import { useEffect, useState } from 'react';
import { FINISHED_STATES, runState, type Run, type RunState } from '../../../../common/protocol/index.js';
import { listCapsules } from '../../../../common/api/capsules.contract.js';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { listRuns } from '../../../../common/api/runs.contract.js';
import { useCall } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { navigate } from '../../shell/hash-location.js';
import { formatCost, formatDuration, formatTime, runDuration } from '../format.js';
import { runPath } from '../routes.js';
import { RunStateBadge } from './RunStateBadge.js';

type QueueFilter = 'cpu' | 'gpu' | '';

/** Every run, newest first, filtered by state, queue, capsule and who launched it; refreshes while any is unfinished. */
export function RunList({ capsuleId }: { capsuleId?: string }) {
  const [state, setState] = useState<RunState | ''>('');
  const [queue, setQueue] = useState<QueueFilter>('');
  const [mine, setMine] = useState(false);
  const input = { ...(state ? { state } : {}), ...(queue ? { queue } : {}), ...(capsuleId ? { capsuleId } : {}) };
  const runs = useCall(listRuns, input, { staleTime: 0 });
  const capsules = useCall(listCapsules, {});
  const status = useCall(platformStatus, undefined);
  const me = status.data?.user?.id;
  const active = runs.data?.items.some((r) => !FINISHED_STATES.includes(r.state)) ?? false;
  useRefetchWhile(active, runs.refetch);
  const names = new Map(capsules.data?.items.map((c) => [c.id, c.name]));
  const items = (runs.data?.items ?? []).filter((r) => !mine || r.userId === me);
  return (
    <section className="rs-runs" aria-label="Runs">
      <div className="rs-filters" role="group" aria-label="Filters">
        <label>
          State{' '}
          <select className="select" value={state} onChange={(e) => setState(e.target.value as RunState | '')}>
            <option value="">any</option>
            {runState.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Queue{' '}
          <select className="select" value={queue} onChange={(e) => setQueue(e.target.value as QueueFilter)}>
            <option value="">any</option>
            <option value="cpu">CPU</option>
            <option value="gpu">GPU</option>
          </select>
        </label>
        <label className="rs-check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} disabled={!me} /> Only mine
        </label>
      </div>
      {runs.isPending ? <Loading label="Loading runs…" /> : null}
      {runs.isError ? <ErrorBanner title="Could not list the runs" error={runs.error} onRetry={() => void runs.refetch()} retrying={runs.isFetching} /> : null}
      {runs.isSuccess && items.length === 0 ? (
        <EmptyState icon="runs" title={state || queue || mine ? 'No run matches these filters' : 'No runs yet'}>
          <p>{state || queue || mine ? 'Change or clear the filters above.' : 'Launch a run from a capsule; it will show here with its state, logs and results.'}</p>
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table rs-run-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Capsule</th>
                <th scope="col">State</th>
                <th scope="col">Queue</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Who</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {items.map((run) => (
                <RunRow key={run.id} run={run} capsuleName={names.get(run.capsuleId)} me={me} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function RunRow({ run, capsuleName, me }: { run: Run; capsuleName: string | undefined; me: string | undefined }) {
  const duration = runDuration(run);
  return (
    <tr className="rs-run-row" data-run-id={run.id}>
      <td>
        <a href={`#${runPath(run.id)}`} onClick={(e) => (e.preventDefault(), navigate(runPath(run.id)))}>
          <code>{run.id}</code>
        </a>
        {run.rerunOf ? <span className="rs-muted"> re-run</span> : null}
      </td>
      <td>{capsuleName ?? <code>{run.capsuleId}</code>}</td>
      <td>
        <RunStateBadge state={run.state} />
      </td>
      <td>{run.queue.toUpperCase()}</td>
      <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
      <td>{duration === null ? '—' : formatDuration(duration)}</td>
      <td>{run.userId === me ? 'you' : <code>{run.userId}</code>}</td>
      <td>{formatCost(run.costUsd)}</td>
    </tr>
  );
}

/** Polls while `active` (a run is still moving); stops as soon as everything shown is finished. */
export function useRefetchWhile(active: boolean, refetch: () => unknown, intervalMs = 2000): void {
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => void refetch(), intervalMs);
    return () => clearInterval(timer);
  }, [active, refetch, intervalMs]);
}
