import { useState } from 'react';
import { exportRollupCsv, getLocalRate, getRollup, setLocalRate } from '../../../common/api/cost.contract.js';
import type { RollupDimension } from '../../../common/protocol/cost.js';
import { useCall, useCallMutation, useSetCallData } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { downloadText } from '../researcher/download.js';
import { formatUsd, monthLabel, monthOf } from './format-usd.js';

const DIMENSIONS: Array<{ by: RollupDimension; label: string }> = [
  { by: 'researcher', label: 'Per researcher' },
  { by: 'capsule', label: 'Per capsule' },
  { by: 'queue', label: 'Per queue' },
];

/** What the platform's runs cost in a month, from each finished run's recorded cost. */
export function PlatformCost({ local }: { local: boolean }) {
  const [month, setMonth] = useState(() => monthOf(Date.now()));
  const [by, setBy] = useState<RollupDimension>('researcher');
  const rollup = useCall(getRollup, { month, by });
  const csv = useCallMutation(exportRollupCsv, { onSuccess: (file) => downloadText(file.filename, file.csv, 'text/csv') });
  const months = Array.from({ length: 6 }, (_, i) => monthOf(Date.now(), i));
  return (
    <section className="card" aria-labelledby="platform-cost">
      <h2 id="platform-cost" className="card__title">
        Runs on the platform
      </h2>
      <div className="cost-controls">
        <label className="field">
          <span className="field__label">Month</span>
          <select className="select input" value={month} onChange={(e) => setMonth(e.target.value)}>
            {months.map((m) => (
              <option key={m} value={m}>
                {monthLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="tablist" aria-label="Roll up by">
          {DIMENSIONS.map((d) => (
            <button key={d.by} type="button" role="tab" aria-selected={by === d.by} className={by === d.by ? 'segmented__item segmented__item--on' : 'segmented__item'} onClick={() => setBy(d.by)}>
              {d.label}
            </button>
          ))}
        </div>
        <Button busy={csv.isPending} disabled={!rollup.data?.items.length} onClick={() => csv.mutate({ month, by })}>
          Export CSV
        </Button>
      </div>
      {rollup.isPending ? <Loading label="Adding up the runs" /> : null}
      {rollup.error ? <ErrorBanner title="Could not read the runs' costs" error={rollup.error} onRetry={() => void rollup.refetch()} /> : null}
      {csv.error ? <ErrorBanner title="Could not export the CSV" error={csv.error} /> : null}
      {rollup.data && rollup.data.items.length === 0 ? (
        <EmptyState icon="cost" title={`No run finished in ${monthLabel(month)}`}>
          <p>Each run records its cost when it finishes: its worker&rsquo;s hourly price × the hours it ran × its share of the worker.</p>
        </EmptyState>
      ) : null}
      {rollup.data && rollup.data.items.length > 0 ? (
        <>
          <p>
            <strong>{formatUsd(rollup.data.totalUsd)}</strong> for {rollup.data.runs} runs in {monthLabel(month)}
            {rollup.data.unpricedRuns > 0 ? ` — ${rollup.data.unpricedRuns} ran on workers with no known price and are not counted` : ''}.
          </p>
          <table className="table cost" aria-label={`Cost ${DIMENSIONS.find((d) => d.by === by)!.label.toLowerCase()}`}>
            <thead>
              <tr>
                <th scope="col">{by === 'researcher' ? 'Researcher' : by === 'capsule' ? 'Capsule' : 'Queue'}</th>
                <th scope="col">Runs</th>
                <th scope="col">Worker hours</th>
                <th scope="col">Share</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {rollup.data.items.map((i) => (
                <tr key={i.key}>
                  <td>{i.label}</td>
                  <td>{i.runs}</td>
                  <td>{i.hours.toFixed(i.hours < 1 ? 3 : 1)}</td>
                  <td>{rollup.data.totalUsd > 0 ? `${Math.round((i.costUsd / rollup.data.totalUsd) * 100)}%` : '—'}</td>
                  <td>{formatUsd(i.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Prices: {rollup.data.sources.map((s) => `${s.source} (${s.runs} runs)`).join('; ') || 'none recorded'}.</p>
        </>
      ) : null}
      <LocalRate local={local} />
    </section>
  );
}

function LocalRate({ local }: { local: boolean }) {
  const rate = useCall(getLocalRate, undefined);
  const setData = useSetCallData();
  const save = useCallMutation(setLocalRate, { onSuccess: (value) => setData(getLocalRate, undefined, value) });
  const [text, setText] = useState('');
  const value = Number(text);
  const error = text !== '' && !(value >= 0 && value <= 10_000) ? 'Enter dollars per hour between 0 and 10,000, such as 0.40.' : undefined;
  // Elsewhere than the sandbox a local rate is rare: shown only once one is set.
  if (!local && (rate.data === undefined || rate.data.hourlyUsd === null)) return null;
  return (
    <div className="local-rate">
      <h3>Local hourly rate</h3>
      <p className="muted">
        {rate.data?.hourlyUsd === null || rate.data === undefined
          ? 'No local rate is set: runs on this machine cost $0.00. Set what an hour of this machine costs you (power, a share of its price) to see per-run costs.'
          : `Runs on workers without an instance type (this machine) are priced at ${formatUsd(rate.data.hourlyUsd)} per hour, set here.`}
      </p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!error && text !== '') save.mutate({ hourlyUsd: value }, { onSuccess: () => setText('') });
        }}
      >
        <Field label="USD per hour" error={error}>
          {(c) => <input {...c} className="input" inputMode="decimal" placeholder={rate.data?.hourlyUsd === null || !rate.data ? 'not set' : String(rate.data.hourlyUsd)} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <Button type="submit" busy={save.isPending} disabled={text === '' || Boolean(error)}>
          Set rate
        </Button>
        {rate.data?.hourlyUsd !== null && rate.data ? (
          <Button variant="ghost" busy={save.isPending} onClick={() => save.mutate({ hourlyUsd: null })}>
            Clear
          </Button>
        ) : null}
      </form>
      {save.error ? <ErrorBanner title="Could not set the local rate" error={save.error} /> : null}
    </div>
  );
}
