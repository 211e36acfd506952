import { useState } from 'react';
import { createPlan, deleteStack, getStatus, listEvents, applyPlan, recoverStack } from '../../../common/api/deploy.contract.js';
import type { Deployment } from '../../../common/api/settings.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { StackProgress } from './StackProgress.js';
import './deploy.css';

type Operation = 'none' | 'following';

/** One deployment: status, version, outputs, events; upgrade by plan → apply; delete with guard rails. */
export function DeploymentView({ deployment }: { deployment: Deployment }) {
  const target = { region: deployment.region, ...(deployment.profile ? { profile: deployment.profile } : {}) };
  const stackName = deployment.name;
  const status = useCall(getStatus, { target, stackName });
  const events = useCall(listEvents, { target, stackName, limit: 30 });
  const plan = useCallMutation(createPlan);
  const apply = useCallMutation(applyPlan);
  const del = useCallMutation(deleteStack);
  const recover = useCallMutation(recoverStack);
  const [operation, setOperation] = useState<Operation>('none');
  const [confirmLoss, setConfirmLoss] = useState('');
  const [confirmDelete, setConfirmDelete] = useState('');
  const [deleteData, setDeleteData] = useState(false);
  const follow = () => setOperation('following');
  const refresh = () => {
    void status.refetch();
    void events.refetch();
  };

  if (status.isPending) return <Loading label={`Reading ${stackName}`} />;
  if (status.error) return <ErrorBanner title={`Could not read ${stackName}`} error={status.error} onRetry={refresh} />;
  const s = status.data;
  const inProgress = s.status.endsWith('_IN_PROGRESS') && s.status !== 'REVIEW_IN_PROGRESS';

  return (
    <div className="deployment">
      <section className="card" aria-labelledby="deployment-status">
        <h2 id="deployment-status" className="card__title">
          {stackName} <span className="card__subtitle">— {deployment.region}</span>
        </h2>
        <p>
          Status: <strong data-testid="stack-status">{s.status}</strong>. Version {s.version.deployed ?? 'unknown'}.{' '}
          {s.terminationProtection ? 'Termination protection is on.' : ''}
        </p>
        <p className="muted">{s.message}</p>
        {s.lastError ? <ErrorBanner title="The last operation failed" error={{ code: 'aws', message: s.lastError }} /> : null}
        {s.version.updateAvailable ? (
          <p role="status">
            Update available: {s.version.deployed ?? 'unknown'} → {s.version.available}.{' '}
            <Button variant="primary" busy={plan.isPending} onClick={() => plan.mutate({ target, stackName, params: {} })}>
              Plan the update
            </Button>
          </p>
        ) : null}
        {s.actions.map((a) =>
          a.kind === 'wait' ? (
            <Button key="follow" onClick={follow}>
              Follow the operation in progress
            </Button>
          ) : (
            <Button key={a.kind} variant="danger" busy={recover.isPending} onClick={() => recover.mutate({ target, stackName, action: a }, { onSuccess: follow })}>
              {a.kind === 'continue-rollback' ? `Continue the rollback${a.resourcesToSkip.length ? `, skipping ${a.resourcesToSkip.join(', ')}` : ''}` : a.kind === 'delete-retaining' ? 'Delete again, keeping what failed' : 'Delete, then install again from Setup'}
            </Button>
          ),
        )}
        {plan.error ? <ErrorBanner title="Could not plan the update" error={plan.error} /> : null}
        {recover.error ? <ErrorBanner title="Could not start the recovery" error={recover.error} /> : null}
      </section>

      {plan.data ? (
        <section className="card" aria-labelledby="deployment-plan">
          <h2 id="deployment-plan" className="card__title">
            Update plan
          </h2>
          <p role="status">{plan.data.noChanges ? 'No changes: the stack already matches.' : `${plan.data.changes.length} resources change.`}</p>
          <pre className="diff" aria-label="Change set">
            {plan.data.diff}
          </pre>
          {plan.data.dataRisks.length ? (
            <Field label={`Removes or replaces data (${plan.data.dataRisks.map((r) => r.logicalId).join(', ')}). Type ${stackName} to accept.`}>
              {(c) => <input {...c} className="input" value={confirmLoss} onChange={(e) => setConfirmLoss(e.target.value)} />}
            </Field>
          ) : null}
          {plan.data.changeSetName ? (
            <Button
              variant="primary"
              busy={apply.isPending}
              disabled={plan.data.dataRisks.length > 0 && confirmLoss !== stackName}
              onClick={() =>
                apply.mutate(
                  { target, stackName, changeSetName: plan.data!.changeSetName!, ...(plan.data!.dataRisks.length ? { confirmDataLoss: confirmLoss } : {}) },
                  { onSuccess: () => (plan.reset(), follow()) },
                )
              }
            >
              Apply the update
            </Button>
          ) : null}
          {apply.error ? <ErrorBanner title="Could not apply the update" error={apply.error} /> : null}
        </section>
      ) : null}

      {operation === 'following' || inProgress ? (
        <section className="card" aria-labelledby="deployment-progress">
          <h2 id="deployment-progress" className="card__title">
            Progress
          </h2>
          <StackProgress target={target} stackName={stackName} onFinal={refresh} />
        </section>
      ) : null}

      <section className="card" aria-labelledby="deployment-outputs">
        <h2 id="deployment-outputs" className="card__title">
          Outputs
        </h2>
        <table className="table" aria-label="Stack outputs">
          <tbody>
            {s.outputs.map((o) => (
              <tr key={o.key}>
                <th scope="row">{o.key}</th>
                <td className="outputs__value">{o.value}</td>
                <td>
                  <Button size="sm" variant="ghost" aria-label={`Copy ${o.key}`} onClick={() => void navigator.clipboard?.writeText(o.value)}>
                    Copy
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="deployment-events">
        <h2 id="deployment-events" className="card__title">
          Recent events
        </h2>
        {events.data ? (
          <ol className="events" aria-label="Recent events">
            {events.data.events.map((e) => (
              <li key={e.id} className={e.status.endsWith('_FAILED') ? 'events__item--failed' : undefined}>
                {e.timestamp.slice(0, 19).replace('T', ' ')} {e.status} {e.logicalId}
                {e.reason ? ` — ${e.reason}` : ''}
              </li>
            ))}
          </ol>
        ) : null}
      </section>

      <section className="card card--quiet" aria-labelledby="deployment-delete">
        <h2 id="deployment-delete" className="card__title">
          Delete the stack
        </h2>
        <p className="muted">The data volume is snapshotted and the buckets, file system and backup vault are kept unless you choose otherwise.</p>
        <label>
          <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} /> Also delete the data (buckets and data volume)
        </label>
        <Field label={`Type ${stackName} to confirm (turns termination protection off)`}>
          {(c) => <input {...c} className="input" value={confirmDelete} onChange={(e) => setConfirmDelete(e.target.value)} />}
        </Field>
        <Button variant="danger" disabled={confirmDelete !== stackName} busy={del.isPending} onClick={() => del.mutate({ target, stackName, confirm: confirmDelete, deleteData }, { onSuccess: follow })}>
          Delete {stackName}
        </Button>
        {del.error ? <ErrorBanner title="Could not delete" error={del.error} /> : null}
      </section>
    </div>
  );
}
