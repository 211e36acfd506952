import { useState, type FormEvent } from 'react';
import { createDatasetCall, listDatasetsPage } from '../../../common/api/datasets.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { navigate } from '../shell/hash-location.js';
import { formatTime, shortSha } from '../researcher/format.js';
import { datasetPath } from './routes.js';

/** The datasets the caller may read, and a form to make a new one. */
export function DatasetList() {
  const datasets = useCall(listDatasetsPage, {});
  return (
    <section aria-label="Datasets" className="ds-list">
      <NewDataset />
      {datasets.isPending ? <Loading label="Loading datasets…" /> : null}
      {datasets.isError ? <ErrorBanner title="Could not list the datasets" error={datasets.error} onRetry={() => void datasets.refetch()} /> : null}
      {datasets.isSuccess && datasets.data.items.length === 0 ? (
        <EmptyState icon="capsules" title="No datasets yet">
          <p>A dataset is a name over immutable versions of files. Runs mount a version read-only under /data, so a result always says which data it came from.</p>
        </EmptyState>
      ) : null}
      {datasets.isSuccess && datasets.data.items.length > 0 ? (
        <ul className="rs-cards">
          {datasets.data.items.map((d) => (
            <li key={d.id}>
              <a className="card rs-capsule-card" href={`#${datasetPath(d.id)}`} onClick={(e) => (e.preventDefault(), navigate(datasetPath(d.id)))}>
                <span className="card__title">{d.name}</span>
                <span className="card__subtitle">{d.description || 'No description'}</span>
                <span className="rs-muted">
                  {d.latestVersion ? (
                    <>
                      latest <code>{shortSha(d.latestVersion)}</code>
                    </>
                  ) : (
                    'no version yet'
                  )}{' '}
                  · {d.sharing?.visibility === 'lab' ? 'shared with the lab' : 'private'} · made {formatTime(d.createdAt)}
                </span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function NewDataset() {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [lab, setLab] = useState(false);
  const create = useCallMutation(createDatasetCall, { onSuccess: (d) => navigate(datasetPath(d.id, 'upload')) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, description, visibility: lab ? 'lab' : 'private' });
  };
  return (
    <details className="card ds-new">
      <summary>New dataset</summary>
      <form onSubmit={submit} aria-label="New dataset" className="pp-form">
        <Field label="Name">{(c) => <input {...c} className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />}</Field>
        <Field label="Description">{(c) => <textarea {...c} className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />}</Field>
        <label className="rs-check">
          <input type="checkbox" checked={lab} onChange={(e) => setLab(e.target.checked)} /> Shared with the lab (everyone may read it; otherwise only you, PIs and admins)
        </label>
        <Button type="submit" variant="primary" busy={create.isPending} disabled={name.trim() === ''}>
          Create and upload files
        </Button>
        {create.error ? <ErrorBanner title="Could not create the dataset" error={create.error} /> : null}
      </form>
    </details>
  );
}
