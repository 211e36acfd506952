import { useEffect, useState } from 'react';
import { createPlan, deleteStack, type DeployDeleteReport, type DeployRecoveryAction, getStatus, listEvents, applyPlan, recoverStack } from '../../../common/api/deploy.contract.js';
import { type Deployment, listDeployments, removeDeployment } from '../../../common/api/settings.contract.js';
import { callKey, useCall, useCallMutation } from '../api/hooks.js';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { PlanSummaryView } from './PlanSummaryView.js';
import { PlatformConnection } from './PlatformConnection.js';
import { StackProgress } from './StackProgress.js';
import './deploy.css';

type Operation = 'none' | 'following';

// While an operation started from this app finishes its last steps (a delete removing the data), ask again this often.
const SETTLE_POLL_MS = 2_000;

const isInProgress = (status: string) => status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';

/** The one guided action of a failed state, in words. */
function actionLabel(a: Exclude<DeployRecoveryAction, { kind: 'wait' }>, status: string): string {
  if (a.kind === 'continue-rollback') return `Continue the rollback${a.resourcesToSkip.length ? `, skipping ${a.resourcesToSkip.join(', ')}` : ''}`;
  if (a.kind === 'delete-retaining') return `Delete again, keeping ${a.retain.length ? a.retain.join(', ') : 'what failed'}`;
  return status === 'REVIEW_IN_PROGRESS' ? 'Clean up the unfinished install' : 'Delete the failed install';
}

/** One deployment: status, version, outputs, events; upgrade by plan → apply; delete with guard rails. */
export function DeploymentView({ deployment }: { deployment: Deployment }) {
  const target = { region: deployment.region, ...(deployment.profile ? { profile: deployment.profile } : {}), ...(deployment.accountId ? { accountId: deployment.accountId } : {}) };
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
  // The stack's own operation is followed by its events; what the app does after it (a delete removing the data) by asking again.
  const settling = status.data?.operationRunning === true && !isInProgress(status.data.status);
  const { refetch } = status;
  useEffect(() => {
    if (!settling) return undefined;
    const timer = setInterval(() => void refetch(), SETTLE_POLL_MS);
    return () => clearInterval(timer);
  }, [settling, refetch]);

  if (status.isPending) return <Loading label={`Reading ${stackName}`} />;
  if (status.error) return <ErrorBanner title={`Could not read ${stackName}`} error={status.error} onRetry={refresh} />;
  const s = status.data;
  const inProgress = isInProgress(s.status);
  const where = `${deployment.region}${deployment.accountId ? `, account ${deployment.accountId}` : ''}`;

  if (!s.exists) {
    return (
      <div className="deployment">
        <section className="card" aria-labelledby="deployment-gone">
          <h2 id="deployment-gone" className="card__title">
            {stackName} <span className="card__subtitle">— {where}</span>
          </h2>
          {s.operationRunning ? (
            <Loading label="The stack is deleted; removing the data it kept…" />
          ) : (
            <p role="status" data-testid="stack-gone">
              {s.deploymentId && !s.forgotten
                ? `There is no stack ${stackName} in ${deployment.region} for account ${s.accountId ?? 'unknown'}, which the profile ${deployment.profile ?? '(default credentials)'} signs in to. If it was installed in another account, choose that account's profile in the header; if it is gone, remove it from the list.`
                : `${stackName} no longer exists in ${where}, so Benchtop no longer lists it and has forgotten its platform.`}
            </p>
          )}
          {s.deploymentId && !s.forgotten && !s.operationRunning ? <ForgetButton id={s.deploymentId} stackName={stackName} /> : null}
          {s.lastDelete ? <DeleteReport report={s.lastDelete} /> : null}
          {s.lastError ? <ErrorBanner title="The last operation failed" error={{ code: 'aws', message: s.lastError }} /> : null}
          {!s.operationRunning ? (
            <a className="button button--primary button--md" href="#/setup">
              Install again from Setup
            </a>
          ) : null}
        </section>
      </div>
    );
  }

  return (
    <div className="deployment">
      <section className="card" aria-labelledby="deployment-status">
        <h2 id="deployment-status" className="card__title">
          {stackName} <span className="card__subtitle">— {where}</span>
        </h2>
        <p>
          Status: <strong data-testid="stack-status">{s.status}</strong>. Version <span data-testid="stack-version">{s.version.deployed ?? 'unknown'}</span> (this app installs {s.version.available}).{' '}
          {s.terminationProtection ? 'Termination protection is on.' : ''}
        </p>
        <p className="muted">{s.message}</p>
        {s.lastError ? <ErrorBanner title="The last operation failed" error={{ code: 'aws', message: s.lastError }} /> : null}
        {s.version.advice.length ? (
          <ul className="findings" aria-label="Versions">
            {s.version.advice.map((a) => (
              <li key={a.message} className={`findings__item findings__item--${a.upgrade === 'app' ? 'error' : 'warning'}`}>
                <strong>Upgrade the {a.upgrade === 'app' ? 'app' : a.upgrade === 'stack' ? 'stack' : 'agents'}:</strong> {a.message}
              </li>
            ))}
          </ul>
        ) : null}
        {s.version.updateAvailable && !s.version.downgrade ? (
          <p role="status">
            Update available: {s.version.deployed ?? 'unknown'} → {s.version.available}.{' '}
            <Button variant="primary" busy={plan.isPending} onClick={() => plan.mutate({ target, stackName, params: {} })}>
              Plan the update
            </Button>
          </p>
        ) : null}
        {s.operationRunning && !inProgress ? <Loading inline label="An operation started from this app is finishing…" /> : null}
        {s.operationRunning
          ? null
          : s.actions.map((a) =>
              a.kind === 'wait' ? (
                <Button key="follow" onClick={follow}>
                  Follow the operation in progress
                </Button>
              ) : (
                <Button key={a.kind} variant="danger" busy={recover.isPending} onClick={() => recover.mutate({ target, stackName, action: a }, { onSuccess: follow })}>
                  {actionLabel(a, s.status)}
                </Button>
              ),
            )}
        {s.exists && !inProgress && !s.operationRunning && s.actions.length === 0 ? (
          <p className="muted">
            Machine images stay as installed until you ask for new ones.{' '}
            <Button size="sm" busy={plan.isPending} onClick={() => plan.mutate({ target, stackName, params: {}, updateImages: true })}>
              Plan new machine images
            </Button>{' '}
            (replaces the services instance, the NAT instance and running workers; the plan says what each does to runs).
          </p>
        ) : null}
        {plan.error ? <ErrorBanner title="Could not plan the update" error={plan.error} /> : null}
        {recover.error ? <ErrorBanner title="Could not start the recovery" error={recover.error} /> : null}
      </section>

      {plan.data ? (
        <section className="card" aria-labelledby="deployment-plan">
          <h2 id="deployment-plan" className="card__title">
            Update plan
          </h2>
          <p role="status">{plan.data.noChanges ? 'No changes: the stack already matches.' : `${plan.data.changes.length} resources change.`}</p>
          {plan.data.noChanges ? null : <PlanSummaryView plan={plan.data} />}
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

      {s.deploymentId && s.outputs.some((o) => o.key === 'Url') ? (
        <section className="card" aria-labelledby="deployment-platform">
          <h2 id="deployment-platform" className="card__title">
            Platform
          </h2>
          <PlatformConnection deploymentId={s.deploymentId} stackName={stackName} />
        </section>
      ) : null}

      {operation === 'following' || inProgress ? (
        <section className="card" aria-labelledby="deployment-progress">
          <h2 id="deployment-progress" className="card__title">
            Progress
          </h2>
          <StackProgress target={target} stackName={stackName} onFinal={refresh} onError={refresh} />
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
        <p className="muted">
          The data stays in your account unless you choose otherwise: the data volume, the results and logs buckets, the file system, the image repository and the
          backup vault.
        </p>
        <label>
          <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} /> Also delete the data: the buckets with every object version,
          the data volume and its snapshots, the file system, the images, and the backup vault with its recovery points
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

/** Takes an entry off the list whose stack cannot be found (an older entry, saved without its account). */
function ForgetButton({ id, stackName }: { id: string; stackName: string }) {
  const queries = useQueryClient();
  const forget = useCallMutation(removeDeployment, { onSuccess: () => void queries.invalidateQueries({ queryKey: callKey(listDeployments) }) });
  return (
    <>
      <Button variant="danger" busy={forget.isPending} onClick={() => forget.mutate({ id })}>
        Remove {stackName} from the list
      </Button>
      {forget.error ? <ErrorBanner title="Could not remove it from the list" error={forget.error} /> : null}
    </>
  );
}

/** What a delete removed and what it left in the account, each with why. */
function DeleteReport({ report }: { report: DeployDeleteReport }) {
  return (
    <div aria-label="What the delete did" role="group">
      {report.deleted.length ? (
        <>
          <h3>Deleted</h3>
          <ul className="findings">
            {report.deleted.map((r) => (
              <li key={r.logicalId} className="findings__item">
                {r.logicalId} ({r.resourceType}) <span className="outputs__value">{r.physicalId}</span>
                {r.detail ? ` — ${r.detail}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {report.kept.length ? (
        <>
          <h3>Kept in your account</h3>
          <ul className="findings">
            {report.kept.map((r) => (
              <li key={r.logicalId} className="findings__item findings__item--warning">
                {r.logicalId} ({r.resourceType}) <span className="outputs__value">{r.physicalId}</span>: {r.why}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
