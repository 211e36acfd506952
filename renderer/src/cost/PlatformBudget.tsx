import { useState } from 'react';
import { checkPlatformBudget, getPlatformBudget, resumePlatformBudget, setPlatformBudget } from '../../../common/api/cost.contract.js';
import { useCall, useCallMutation, useSetCallData } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { formatUsd } from './format-usd.js';

const SOURCE_TEXT = {
  'aws-budgets': 'AWS Budgets, read by the platform with its own role',
  local: "the platform's own runs: the cost each run recorded this month",
  none: 'no budget: the stack was installed without one (MonthlyBudgetUsd 0)',
} as const;

/** The hard stop: when the month's spend (or forecast) reaches the limit, the platform stops leasing runs. */
export function PlatformBudget() {
  const budget = useCall(getPlatformBudget, undefined);
  const setData = useSetCallData();
  const onSuccess = (value: NonNullable<typeof budget.data>) => setData(getPlatformBudget, undefined, value);
  const update = useCallMutation(setPlatformBudget, { onSuccess });
  const resume = useCallMutation(resumePlatformBudget, { onSuccess });
  const check = useCallMutation(checkPlatformBudget, { onSuccess });
  const [limit, setLimit] = useState('');
  const [confirmResume, setConfirmResume] = useState(false);
  if (budget.isPending) return <Loading label="Reading the platform's budget" />;
  if (budget.error) return <ErrorBanner title="Could not read the platform's budget" error={budget.error} onRetry={() => void budget.refetch()} />;
  const b = budget.data;
  const figure = b.basis === 'forecast' ? b.forecastUsd : b.actualUsd;
  const percent = b.limitUsd && figure !== null ? Math.min(100, Math.round((figure / b.limitUsd) * 100)) : null;
  const limitNumber = Number(limit);
  const limitError = limit !== '' && !(limitNumber >= 0) ? 'Enter an amount in US dollars, such as 250.' : undefined;
  return (
    <section className="card" aria-labelledby="platform-budget">
      <h2 id="platform-budget" className="card__title">
        Budget hard stop
      </h2>
      <p className="muted">Spend is read from {SOURCE_TEXT[b.source]}, every {Math.round(b.intervalSeconds / 60) || 1} min.</p>
      {b.paused ? (
        <div className="budget-paused" role="alert">
          <strong>Leasing is paused.</strong> {b.reason} Queued runs wait; running runs finish.
        </div>
      ) : null}
      <dl className="cost-figures">
        <div>
          <dt>Limit ({b.month})</dt>
          <dd>{b.limitUsd === null ? 'not set' : formatUsd(b.limitUsd)}</dd>
        </div>
        <div>
          <dt>Spent</dt>
          <dd>{formatUsd(b.actualUsd)}</dd>
        </div>
        <div>
          <dt>Forecast for the month</dt>
          <dd>{formatUsd(b.forecastUsd)}</dd>
        </div>
      </dl>
      {percent !== null ? (
        <div className="progress" role="progressbar" aria-label={`${b.basis === 'forecast' ? 'Forecast' : 'Spend'} against the limit`} aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
          <div className={percent >= 100 ? 'progress__bar progress__bar--over' : 'progress__bar'} style={{ width: `${percent}%` }} />
        </div>
      ) : null}
      {b.error ? <p className="field__error">Last reading failed: {b.error}. The previous decision stands.</p> : null}
      {b.resumed ? (
        <p className="muted">
          Resumed by {b.resumed.by} on {new Date(b.resumed.at).toLocaleString()} for the rest of {b.month} at this limit.
        </p>
      ) : null}
      {b.source !== 'none' ? (
        <div className="cost-controls">
          <label className="checkbox">
            <input type="checkbox" checked={b.hardStop} disabled={update.isPending} onChange={(e) => update.mutate({ hardStop: e.target.checked })} /> Stop leasing runs when the limit is reached
          </label>
          <label className="field">
            <span className="field__label">Compare the limit with</span>
            <select className="select input" value={b.basis} disabled={update.isPending} onChange={(e) => update.mutate({ basis: e.target.value as 'actual' | 'forecast' })}>
              <option value="actual">the month&rsquo;s actual spend</option>
              <option value="forecast">the forecast for the month (stops earlier)</option>
            </select>
          </label>
          {b.source === 'local' ? (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (!limitError && limit !== '') update.mutate({ limitUsd: limitNumber === 0 ? null : limitNumber }, { onSuccess: () => setLimit('') });
              }}
            >
              <Field label="Monthly limit (USD; 0 removes it)" error={limitError}>
                {(c) => <input {...c} className="input" inputMode="decimal" value={limit} placeholder={b.limitUsd === null ? 'none' : String(b.limitUsd)} onChange={(e) => setLimit(e.target.value)} />}
              </Field>
              <Button type="submit" busy={update.isPending} disabled={limit === '' || Boolean(limitError)}>
                Set limit
              </Button>
            </form>
          ) : (
            <p className="muted">Raise the AWS budget below (AWS Budgets); the platform sees the new limit at its next reading, or now with &ldquo;Check now&rdquo;.</p>
          )}
          <div className="button-row">
            <Button icon="refresh" busy={check.isPending} onClick={() => check.mutate(undefined)}>
              Check now
            </Button>
            {b.paused && !confirmResume ? (
              <Button variant="danger" onClick={() => setConfirmResume(true)}>
                Resume leasing…
              </Button>
            ) : null}
            {b.paused && confirmResume ? (
              <>
                <span>Runs will be leased again for the rest of {b.month}, over the limit. Sure?</span>
                <Button variant="danger" busy={resume.isPending} onClick={() => resume.mutate(undefined, { onSuccess: (v) => (onSuccess(v), setConfirmResume(false)) })}>
                  Yes, resume
                </Button>
                <Button variant="ghost" onClick={() => setConfirmResume(false)}>
                  Cancel
                </Button>
              </>
            ) : null}
          </div>
        </div>
      ) : null}
      {[update, resume, check].map((m, i) => (m.error ? <ErrorBanner key={i} title="The platform refused the budget change" error={m.error} /> : null))}
    </section>
  );
}
