import { useState } from 'react';
import { createPlan, estimateCost, type DeployPlan, runPreflight } from '../../../common/api/deploy.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { PlanSummaryView } from './PlanSummaryView.js';

export interface ReviewStepProps {
  target: { region: string; profile?: string };
  stackName: string;
  params: Record<string, string>;
  onPlanned: (plan: DeployPlan, confirmDataLoss: string | undefined, account: string | undefined) => void;
  installing: boolean;
}

/** Preflight against the account, the itemized idle cost, then the plan in words (raw change set one click away) to approve. */
export function ReviewStep({ target, stackName, params, onPlanned, installing }: ReviewStepProps) {
  const cost = useCall(estimateCost, { region: target.region, params });
  const preflight = useCallMutation(runPreflight);
  const plan = useCallMutation(createPlan);
  const [confirm, setConfirm] = useState('');
  const report = preflight.data;
  const ready = report?.ok === true;
  return (
    <div className="review">
      <h3>Monthly cost while idle</h3>
      {cost.isPending ? <Loading label="Estimating the cost" /> : null}
      {cost.error ? <ErrorBanner title="Could not estimate the cost" error={cost.error} /> : null}
      {cost.data ? (
        <table className="table cost" aria-label="Idle monthly cost">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Detail</th>
              <th scope="col">USD / month</th>
            </tr>
          </thead>
          <tbody>
            {cost.data.idle.map((i) => (
              <tr key={i.item}>
                <td>{i.item}</td>
                <td className="muted">{i.detail}</td>
                <td>{i.monthlyUsd.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2}>
                Total (prices of {cost.data.pricesAsOf})
              </th>
              <td>{cost.data.totalMonthlyUsd.toFixed(2)}</td>
            </tr>
          </tfoot>
        </table>
      ) : null}

      <h3>Preflight</h3>
      <Button onClick={() => preflight.mutate({ target, stackName, params })} busy={preflight.isPending}>
        Run preflight checks
      </Button>
      {preflight.error ? <ErrorBanner title="Preflight could not run" error={preflight.error} /> : null}
      {report ? (
        <>
          <p role="status">
            {report.ok ? `Preflight passed${report.account ? ` for account ${report.account}` : ''}.` : 'Preflight found problems to fix first.'}
            {report.gpuQuotaVcpus !== undefined ? ` GPU quota: ${report.gpuQuotaVcpus} vCPUs.` : ''}
          </p>
          <ul className="findings" aria-label="Preflight findings">
            {report.findings.map((f) => (
              <li key={`${f.field}:${f.message}`} className={`findings__item findings__item--${f.severity}`}>
                {f.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h3>Plan</h3>
      <Button onClick={() => plan.mutate({ target, stackName, params })} disabled={!ready} busy={plan.isPending}>
        Create the plan
      </Button>
      {plan.error ? <ErrorBanner title="Could not create the plan" error={plan.error} /> : null}
      {plan.data ? (
        <>
          {plan.data.noChanges || !plan.data.summary ? (
            <p role="status">{plan.data.noChanges ? 'No changes: the stack already matches.' : `${plan.data.changes.length} resources to ${plan.data.type === 'CREATE' ? 'create' : 'change'}.`}</p>
          ) : null}
          <PlanSummaryView plan={plan.data} />
          {plan.data.dataRisks.length ? (
            <Field label={`This plan removes or replaces data (${plan.data.dataRisks.map((r) => r.logicalId).join(', ')}). Type ${stackName} to accept.`}>
              {(control) => <input {...control} className="input" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
            </Field>
          ) : null}
          {!plan.data.noChanges ? (
            <Button
              variant="primary"
              busy={installing}
              disabled={plan.data.dataRisks.length > 0 && confirm !== stackName}
              onClick={() => onPlanned(plan.data!, plan.data!.dataRisks.length ? confirm : undefined, report?.account)}
            >
              {plan.data.type === 'CREATE' ? 'Install' : 'Apply'}
            </Button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
