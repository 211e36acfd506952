import { useState } from 'react';
import { createDatabaseBackup, listDatabaseBackups, restoreDatabaseBackup, runRestoreDrill } from '../../../common/api/backups.contract.js';
import type { DatabaseBackup, RestoreDrill } from '../../../common/protocol/backups.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { useToast } from '../components/Toast.js';
import { formatBytes } from '../researcher/format.js';

const KIND_TEXT: Record<DatabaseBackup['kind'], string> = { scheduled: 'scheduled', manual: 'taken by hand', 'before-restore': 'before a restore' };

export function ago(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

/** Where a backup is kept, in words: the services machine's folder and/or the uploaded copies (S3). */
export function keptInText(b: DatabaseBackup, uploadedTo: string | null): string {
  const places = b.keptIn.map((p) => (p === 'local' ? 'services machine' : (uploadedTo ?? 'uploaded copy')));
  return places.join(' and ');
}

export function drillSummary(d: RestoreDrill): string {
  if (!d.ok) return `last drill: failed, ${ago(d.finishedAt)} — ${d.message}`;
  return `last drill: ok, ${ago(d.finishedAt)}, ${(d.backupRuns ?? 0).toLocaleString('en-US')} runs`;
}

/** The services agent's own online copies of its database: list, take one, restore one, and prove the newest restores. */
export function DatabaseBackups() {
  const list = useCall(listDatabaseBackups, undefined);
  const toast = useToast();
  const refresh = () => void list.refetch();
  const take = useCallMutation(createDatabaseBackup, { onSuccess: (b) => (toast.show({ tone: 'success', message: `Backup ${b.name} taken.` }), refresh()) });
  const drill = useCallMutation(runRestoreDrill, { onSuccess: refresh });
  const restore = useCallMutation(restoreDatabaseBackup, { onSuccess: (r) => (toast.show({ tone: 'success', message: r.message }), refresh()) });
  const [restoring, setRestoring] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const lastDrill = drill.data ?? list.data?.lastDrill ?? null;
  const onlyUploaded = list.data?.items.find((b) => b.name === restoring)?.keptIn.includes('local') === false;
  return (
    <section className="card" aria-labelledby="database-backups">
      <h2 id="database-backups" className="card__title">
        Platform database
      </h2>
      {list.isPending ? <Loading label="Listing the platform's backups" /> : null}
      {list.error ? <ErrorBanner title="Could not list the platform's backups" error={list.error} onRetry={refresh} /> : null}
      {list.data ? (
        <>
          <p className="muted">
            Online copies of the database (runs, capsules, datasets, the queue), in <code>{list.data.location}</code>
            {list.data.uploadedTo ? <>, each also copied to {list.data.uploadedTo}</> : null}; the newest {list.data.keep} are kept on the services machine
            {list.data.uploadedTo ? ', and every copy in S3 (older backups may be kept only there, and restore the same way)' : ''}.
            {list.data.nextAt ? ` Next scheduled copy ${new Date(list.data.nextAt).toLocaleString()}.` : ' No copy is scheduled.'}
          </p>
          <p className={lastDrill ? (lastDrill.ok ? 'drill--ok' : 'drill--failed') : 'muted'} role="status" aria-label="Restore drill">
            {lastDrill ? drillSummary(lastDrill) : 'No restore drill yet: run one to prove the newest backup restores.'}
            {list.data.drillIntervalSeconds ? ` Drills run every ${Math.round(list.data.drillIntervalSeconds / 3600)} h.` : ''}
          </p>
          <div className="button-row">
            <Button variant="primary" busy={take.isPending} onClick={() => take.mutate(undefined)}>
              Back up now
            </Button>
            <Button busy={drill.isPending} disabled={list.data.items.length === 0} onClick={() => drill.mutate(undefined)}>
              Run a restore drill
            </Button>
          </div>
          {list.data.copiesError ? (
            <p className="notice" role="status">
              Only the backups on the services machine are listed: {list.data.copiesError}.
            </p>
          ) : null}
          {take.error ? <ErrorBanner title="Could not take a backup" error={take.error} /> : null}
          {drill.error ? <ErrorBanner title="Could not run the drill" error={drill.error} /> : null}
          {list.data.items.length === 0 ? (
            <EmptyState icon="backups" title="No backup of the platform database yet">
              <p>One is taken every {list.data.intervalSeconds ? Math.round(list.data.intervalSeconds / 3600) : 6} hours; take one now to have a point to go back to.</p>
            </EmptyState>
          ) : (
            <table className="table" aria-label="Database backups">
              <thead>
                <tr>
                  <th scope="col">Taken</th>
                  <th scope="col">Why</th>
                  <th scope="col">Size</th>
                  <th scope="col">Kept in</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((b) => (
                  <tr key={b.name}>
                    <td title={b.name}>
                      {new Date(b.createdAt).toLocaleString()} <span className="muted">({ago(b.createdAt)})</span>
                    </td>
                    <td>{KIND_TEXT[b.kind]}</td>
                    <td>{formatBytes(b.bytes)}</td>
                    <td>{keptInText(b, list.data.uploadedTo)}</td>
                    <td>
                      <Button size="sm" variant="danger" onClick={() => (setRestoring(b.name), setTyped(''))} aria-label={`Restore ${b.name}`}>
                        Restore…
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
      {restoring ? (
        <form
          className="confirm"
          aria-label="Confirm the restore"
          onSubmit={(e) => {
            e.preventDefault();
            restore.mutate({ name: restoring, confirm: typed }, { onSuccess: () => setRestoring(null) });
          }}
        >
          <p>
            Restoring puts the platform&rsquo;s runs, capsules and datasets back as they were in <code>{restoring}</code>. Runs made since are set aside in a
            safety backup taken first (restorable in turn); people, tokens and the audit trail stay as they are now.
            {onlyUploaded ? ` It is kept only in ${list.data?.uploadedTo ?? 'the uploaded copies'}: it is downloaded into a scratch folder and checked (sha256, integrity) before anything changes.` : ''}
          </p>
          <Field label={`Type ${restoring} to restore`}>{(c) => <input {...c} className="input" value={typed} autoFocus onChange={(e) => setTyped(e.target.value)} />}</Field>
          <div className="button-row">
            <Button type="submit" variant="danger" busy={restore.isPending} disabled={typed !== restoring}>
              Restore the platform
            </Button>
            <Button variant="ghost" onClick={() => setRestoring(null)}>
              Cancel
            </Button>
          </div>
          {restore.error ? <ErrorBanner title="The restore did not happen" error={restore.error} /> : null}
        </form>
      ) : null}
    </section>
  );
}
