import { useState } from 'react';
import { activateCostTag, addBudgetNotification, getStackBudget, getStackCost, updateStackBudget } from '../../../common/api/cost.contract.js';
import type { Deployment } from '../../../common/api/settings.contract.js';
import { useCall, useCallMutation, useSetCallData } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { TimeSeriesChart } from '../components/charts/TimeSeriesChart.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { targetOf } from './DeploymentPicker.js';
import { formatUsd, monthLabel } from './format-usd.js';

/** The stack's bill from Cost Explorer (by its benchtop:stack tag) and its AWS budget. */
export function StackCostView({ deployment }: { deployment: Deployment }) {
  const input = { target: targetOf(deployment), stackName: deployment.name };
  const cost = useCall(getStackCost, input, { staleTime: 10 * 60_000 });
  const activate = useCallMutation(activateCostTag, { onSuccess: () => void cost.refetch() });
  return (
    <>
      <section className="card" aria-labelledby="stack-cost">
        <h2 id="stack-cost" className="card__title">
          The stack&rsquo;s AWS bill <span className="card__subtitle">— {deployment.name}, Cost Explorer</span>
        </h2>
        {cost.isPending ? <Loading label="Asking Cost Explorer" /> : null}
        {cost.error ? <ErrorBanner title="Could not read the stack's cost from Cost Explorer" error={cost.error} onRetry={() => void cost.refetch()} /> : null}
        {cost.data ? (
          <>
            {cost.data.tag.status !== 'Active' ? (
              <div className="notice" role="status">
                <p>
                  Costs are filtered by the cost-allocation tag <code>{cost.data.tag.key}</code>, which is{' '}
                  {cost.data.tag.status === 'Inactive' ? 'not active' : 'not known to billing yet (tagged resources appear within a day)'}. Until it is active, the
                  figures below are empty. After activation, data appears after about a day.
                </p>
                {cost.data.tag.status === 'Inactive' ? (
                  <Button variant="primary" busy={activate.isPending} onClick={() => activate.mutate({ target: input.target })}>
                    Activate the tag
                  </Button>
                ) : null}
                {activate.error ? <ErrorBanner title="Could not activate the tag" error={activate.error} /> : null}
              </div>
            ) : null}
            <dl className="cost-figures">
              <div>
                <dt>Month to date</dt>
                <dd>{formatUsd(cost.data.monthToDate.totalUsd)}</dd>
              </div>
              <div>
                <dt>Forecast to month end</dt>
                <dd>{formatUsd(cost.data.forecastMonthUsd)}</dd>
              </div>
              <div>
                <dt>Idle estimate per month</dt>
                <dd>{formatUsd(cost.data.idleEstimateMonthlyUsd)}</dd>
              </div>
            </dl>
            {cost.data.forecastNote ? <p className="muted">{cost.data.forecastNote}</p> : null}
            <TimeSeriesChart
              title="Cost per day this month (USD)"
              timestamps={cost.data.daily.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000)}
              series={[
                { label: 'USD per day', values: cost.data.daily.map((d) => d.usd) },
                ...(cost.data.idleEstimateMonthlyUsd !== null ? [{ label: 'Idle estimate per day', values: cost.data.daily.map(() => cost.data.idleEstimateMonthlyUsd! / 30.4), dashed: true }] : []),
              ]}
              unit="count"
              emptyMessage="No cost under this stack's tag this month yet."
            />
            {cost.data.monthToDate.byService.length > 0 ? (
              <table className="table cost" aria-label="Cost by service this month">
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Month to date</th>
                  </tr>
                </thead>
                <tbody>
                  {cost.data.monthToDate.byService.map((s) => (
                    <tr key={s.service}>
                      <td>{s.service}</td>
                      <td>{formatUsd(s.usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {cost.data.lastMonths.length > 0 ? (
              <table className="table cost" aria-label="Last months">
                <tbody>
                  {cost.data.lastMonths.map((m) => (
                    <tr key={m.month}>
                      <td>{monthLabel(m.month)}</td>
                      <td>{formatUsd(m.usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </>
        ) : null}
      </section>
      <StackBudget deployment={deployment} />
    </>
  );
}

function StackBudget({ deployment }: { deployment: Deployment }) {
  const input = { target: targetOf(deployment), stackName: deployment.name };
  const budget = useCall(getStackBudget, input);
  const setData = useSetCallData();
  const onSuccess = (value: NonNullable<typeof budget.data>) => setData(getStackBudget, input, value);
  const raise = useCallMutation(updateStackBudget, { onSuccess });
  const notify = useCallMutation(addBudgetNotification, { onSuccess });
  const [limit, setLimit] = useState('');
  const [email, setEmail] = useState('');
  const [threshold, setThreshold] = useState('80');
  const [kind, setKind] = useState<'ACTUAL' | 'FORECASTED'>('ACTUAL');
  if (budget.isPending) return <Loading label="Reading the AWS budget" />;
  if (budget.error) return <ErrorBanner title="Could not read the AWS budget" error={budget.error} onRetry={() => void budget.refetch()} />;
  const b = budget.data;
  if (!b.exists) {
    return (
      <section className="card" aria-labelledby="stack-budget">
        <h2 id="stack-budget" className="card__title">
          AWS budget
        </h2>
        <p className="muted">The stack has no budget ({b.name}): it was installed with MonthlyBudgetUsd 0. Set that parameter in an upgrade on the Deployment page to create one.</p>
      </section>
    );
  }
  const limitValue = Number(limit);
  const limitError = limit !== '' && !(limitValue > 0) ? 'Enter an amount above $0, such as 300.' : undefined;
  return (
    <section className="card" aria-labelledby="stack-budget">
      <h2 id="stack-budget" className="card__title">
        AWS budget <span className="card__subtitle">— {b.name}</span>
      </h2>
      <dl className="cost-figures">
        <div>
          <dt>Limit</dt>
          <dd>{formatUsd(b.limitUsd)}</dd>
        </div>
        <div>
          <dt>Actual</dt>
          <dd>{formatUsd(b.actualUsd)}</dd>
        </div>
        <div>
          <dt>Forecast</dt>
          <dd>{formatUsd(b.forecastUsd)}</dd>
        </div>
      </dl>
      <table className="table" aria-label="Budget alerts">
        <thead>
          <tr>
            <th scope="col">Alert when</th>
            <th scope="col">Subscribers</th>
          </tr>
        </thead>
        <tbody>
          {b.notifications.map((n, i) => (
            <tr key={i}>
              <td>
                {n.notificationType === 'FORECASTED' ? 'forecast' : 'actual'} {n.comparison === 'GREATER_THAN' ? '>' : n.comparison === 'LESS_THAN' ? '<' : '='} {n.threshold}
                {n.thresholdType === 'PERCENTAGE' ? '%' : ' USD'}
              </td>
              <td>{n.subscribers.map((s) => `${s.type === 'SNS' ? 'alarm topic' : 'email'} ${s.address}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!limitError && limit !== '') raise.mutate({ ...input, limitUsd: limitValue }, { onSuccess: () => setLimit('') });
        }}
      >
        <Field label="New monthly limit (USD)" error={limitError} hint="The stack's MonthlyBudgetUsd parameter is not changed: set it too in the next upgrade, or the upgrade puts the old limit back.">
          {(c) => <input {...c} className="input" inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />}
        </Field>
        <Button type="submit" busy={raise.isPending} disabled={limit === '' || Boolean(limitError)}>
          Change limit
        </Button>
      </form>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          notify.mutate({ ...input, notificationType: kind, thresholdPercent: Number(threshold), email }, { onSuccess: () => setEmail('') });
        }}
      >
        <label className="field">
          <span className="field__label">Alert on</span>
          <select className="select input" value={kind} onChange={(e) => setKind(e.target.value as 'ACTUAL' | 'FORECASTED')}>
            <option value="ACTUAL">actual spend</option>
            <option value="FORECASTED">forecast</option>
          </select>
        </label>
        <Field label="Above % of the limit">{(c) => <input {...c} className="input" inputMode="numeric" value={threshold} onChange={(e) => setThreshold(e.target.value)} />}</Field>
        <Field label="Email">{(c) => <input {...c} className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Button type="submit" busy={notify.isPending} disabled={!email}>
          Add alert
        </Button>
      </form>
      {raise.error ? <ErrorBanner title="Could not change the limit" error={raise.error} /> : null}
      {notify.error ? <ErrorBanner title="Could not add the alert" error={notify.error} /> : null}
    </section>
  );
}
