import { useEffect, useState } from 'react';
import { applyVaultRestore, getVaultJob, getVaultOverview, planVaultRestore, startVaultBackup } from '../../../common/api/backups.contract.js';
import type { Deployment } from '../../../common/api/settings.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { targetOf } from '../cost/DeploymentPicker.js';
import { formatBytes } from '../researcher/format.js';
import { ago } from './DatabaseBackups.js';
import { KeptVolumes } from './KeptVolumes.js';

const RUNNING = new Set(['CREATED', 'PENDING', 'RUNNING']);

/** The stack's AWS Backup vault: snapshots of the data volume, jobs, an on-demand backup, and a restore through plan/apply. */
export function VaultBackups({ deployment }: { deployment: Deployment }) {
  const target = targetOf(deployment);
  const stackName = deployment.name;
  const overview = useCall(getVaultOverview, { target, stackName });
  const start = useCallMutation(startVaultBackup);
  const jobId = start.data?.id;
  const job = useCall(getVaultJob, { target, jobId: jobId ?? 'none' }, { enabled: Boolean(jobId) });
  const current = job.data ?? start.data;
  const running = Boolean(current && RUNNING.has(current.state));
  // Progress: ask again every few seconds while the job runs.
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => void job.refetch(), 5000);
    return () => clearTimeout(timer);
  }, [running, job.dataUpdatedAt, job]);
  const plan = useCallMutation(planVaultRestore);
  const apply = useCallMutation(applyVaultRestore, { onSuccess: () => void overview.refetch() });
  const restoring = overview.data?.restore?.state === 'applying';
  // While a restore runs, read again now and then: the overview says when the old volume is renamed.
  useEffect(() => {
    if (!restoring) return undefined;
    const timer = setTimeout(() => void overview.refetch(), 10_000);
    return () => clearTimeout(timer);
  }, [restoring, overview.dataUpdatedAt, overview]);
  const [confirm, setConfirm] = useState('');
  return (
    <section className="card" aria-labelledby="vault-backups">
      <h2 id="vault-backups" className="card__title">
        Data volume snapshots <span className="card__subtitle">— {stackName}, AWS Backup</span>
      </h2>
      {overview.isPending ? <Loading label="Reading the backup vault" /> : null}
      {overview.error ? <ErrorBanner title="Could not read the backup vault" error={overview.error} onRetry={() => void overview.refetch()} /> : null}
      {overview.data ? (
        <>
          <p className="muted">
            Vault <code>{overview.data.vaultName}</code>.{' '}
            {overview.data.plan
              ? `Plan ${overview.data.plan.name}: ${overview.data.plan.schedule}${overview.data.plan.retentionDays ? `, kept ${overview.data.plan.retentionDays} days` : ''}${overview.data.plan.nextRunAt ? `; next run ${new Date(overview.data.plan.nextRunAt).toLocaleString()}` : ''}.`
              : 'No backup plan was found for this stack.'}
          </p>
          <div className="button-row">
            <Button variant="primary" busy={start.isPending} disabled={running} onClick={() => start.mutate({ target, stackName })}>
              Back up the data volume now
            </Button>
            {current ? (
              <span role="status">
                Job {current.id}: {current.state.toLowerCase()}
                {current.percentDone !== null ? ` (${Math.round(current.percentDone)}%)` : ''}
                {current.message ? ` — ${current.message}` : ''}
              </span>
            ) : null}
          </div>
          {current && current.percentDone !== null ? (
            <div className="progress" role="progressbar" aria-label="Backup progress" aria-valuenow={Math.round(current.percentDone)} aria-valuemin={0} aria-valuemax={100}>
              <div className="progress__bar" style={{ width: `${current.percentDone}%` }} />
            </div>
          ) : null}
          {start.error ? <ErrorBanner title="Could not start the backup" error={start.error} /> : null}
          <table className="table" aria-label="Recovery points">
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Status</th>
                <th scope="col">Size</th>
                <th scope="col">Deleted</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.data.recoveryPoints.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    No recovery point yet: the plan takes the first at its next run, or back up now.
                  </td>
                </tr>
              ) : null}
              {overview.data.recoveryPoints.map((p) => (
                <tr key={p.arn}>
                  <td title={p.arn}>{p.createdAt ? `${new Date(p.createdAt).toLocaleString()} (${ago(p.createdAt)})` : '—'}</td>
                  <td>{p.status.toLowerCase()}</td>
                  <td>{p.sizeBytes === null ? '—' : formatBytes(p.sizeBytes)}</td>
                  <td>{p.deleteAt ? new Date(p.deleteAt).toLocaleDateString() : 'kept'}</td>
                  <td>
                    <Button size="sm" variant="danger" disabled={!p.snapshotId || p.status !== 'COMPLETED'} busy={plan.isPending && plan.variables?.recoveryPointArn === p.arn} onClick={() => (setConfirm(''), plan.mutate({ target, stackName, recoveryPointArn: p.arn }))}>
                      Plan a restore…
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {overview.data.restore ? (
            <p className={overview.data.restore.state === 'failed' ? 'notice' : 'muted'} role="status" aria-label="Last restore">
              {overview.data.restore.message}
            </p>
          ) : null}
          <KeptVolumes volumes={overview.data.keptVolumes} earlierStack={overview.data.earlierStackVolumes} />
          <h3>Last jobs</h3>
          <ul className="events" aria-label="Backup jobs">
            {overview.data.jobs.map((j) => (
              <li key={j.id} className={j.state === 'FAILED' || j.state === 'ABORTED' ? 'events__item--failed' : undefined}>
                {j.createdAt ? new Date(j.createdAt).toLocaleString() : '—'} {j.state.toLowerCase()} {j.message ?? ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {plan.error ? <ErrorBanner title="Could not plan the restore" error={plan.error} /> : null}
      {plan.data ? (
        <div className="confirm" aria-label="Restore plan">
          <h3>Restore from {plan.data.snapshotId}</h3>
          <p>
            The stack is updated to start a new data volume from this snapshot. The services instance is replaced and comes back on the restored volume. Runs
            and capsules made since the snapshot are not on the restored volume.
          </p>
          <p aria-label="Current data volume">
            {plan.data.replaced ? plan.data.replaced.text : 'The stack has no data volume in use to keep.'}
          </p>
          <pre className="diff" aria-label="Change set">
            {plan.data.plan.diff}
          </pre>
          <Field label={`Replaces ${plan.data.plan.dataRisks.map((r) => r.logicalId).join(', ') || 'no data resource'}. Type ${stackName} to apply.`}>
            {(c) => <input {...c} className="input" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
          <div className="button-row">
            <Button
              variant="danger"
              busy={apply.isPending}
              disabled={!plan.data.plan.changeSetName || confirm !== stackName}
              onClick={() => apply.mutate({ target, stackName, changeSetName: plan.data!.plan.changeSetName!, confirmDataLoss: confirm })}
            >
              Apply the restore
            </Button>
            <Button variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
          {apply.data ? (
            <p role="status">
              The restore is under way. Follow it on the <a href="#/deployment">Deployment page</a>
              {apply.data.restore ? `; once it succeeds, ${apply.data.restore.replaced.volumeId} is renamed ${apply.data.restore.replaced.name}` : ''}.
            </p>
          ) : null}
          {apply.error ? <ErrorBanner title="Could not apply the restore" error={apply.error} /> : null}
        </div>
      ) : null}
    </section>
  );
}
