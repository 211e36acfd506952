import { getReproducibility, setReproducibility } from '../../../common/api/capsule-sharing.contract.js';
import type { ReproSchedule } from '../../../common/protocol/capsules.js';
import { useCall, useCallMutation, useSetCallData } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { runPath } from '../researcher/routes.js';

const LABEL: Record<ReproSchedule, string> = { off: 'Off', daily: 'Every day', weekly: 'Every week' };

/** "Check reproducibility": the schedule, where the capsule stands, and the comparison one click away. */
export function ReproducibilityCard({ capsuleId }: { capsuleId: string }) {
  const status = useCall(getReproducibility, { id: capsuleId });
  const setData = useSetCallData();
  const save = useCallMutation(setReproducibility, { onSuccess: (value) => setData(getReproducibility, { id: capsuleId }, value) });
  if (status.isPending) return <Loading label="Loading the reproducibility check…" />;
  if (status.isError) return <ErrorBanner title="Could not read the reproducibility check" error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const latest = s.latest;
  const tone = latest?.outcome === 'reproduces' ? 'success' : latest?.outcome === 'diverged' || latest?.outcome === 'failed' ? 'danger' : 'neutral';
  return (
    <section className="card pp-form" aria-label="Reproducibility">
      <h2 className="card__title">Check reproducibility</h2>
      <p>
        <span className={`badge rs-state--${tone}`} role="status">
          {s.summary}
        </span>
      </p>
      {latest ? (
        <p className="rs-muted">
          Latest check re-ran <a href={`#${runPath(latest.baselineRunId)}`}>{latest.baselineRunId}</a> as <a href={`#${runPath(latest.checkRunId)}`}>{latest.checkRunId}</a>
          {latest.outcome === 'reproduces' || latest.outcome === 'diverged' ? (
            <>
              {' '}
              · <a href={`#/runs/${latest.baselineRunId}/compare/${latest.checkRunId}`}>compare the results</a>
            </>
          ) : null}
        </p>
      ) : null}
      <Field label="Repeat the last successful run" hint={s.nextCheckAt ? `Next check due ${s.nextCheckAt.replace('T', ' ').slice(0, 16)} UTC.` : 'The platform re-runs it from its record and compares the results.'}>
        {(c) => (
          <select {...c} className="input" value={s.schedule} disabled={save.isPending} onChange={(e) => save.mutate({ id: capsuleId, schedule: e.target.value as ReproSchedule, checkNow: false })}>
            {(Object.keys(LABEL) as ReproSchedule[]).map((k) => (
              <option key={k} value={k}>
                {LABEL[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Button busy={save.isPending} onClick={() => save.mutate({ id: capsuleId, schedule: s.schedule, checkNow: true })}>
        Check now
      </Button>
      {save.error ? <ErrorBanner title="Could not change the check" error={save.error} /> : null}
    </section>
  );
}
