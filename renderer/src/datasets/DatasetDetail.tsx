import { useQueryClient } from '@tanstack/react-query';
import { getDatasetCall, listDatasetVersions, shareDataset } from '../../../common/api/datasets.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { PageHeader } from '../components/PageHeader.js';
import { SharingPanel } from '../people/SharingPanel.js';
import { formatBytes, formatTime, shortSha } from '../researcher/format.js';
import { navigate } from '../shell/hash-location.js';
import { datasetPath, type DatasetTab } from './routes.js';
import { UploadPanel } from './UploadPanel.js';
import { VersionView } from './VersionView.js';

const TABS: ReadonlyArray<{ id: DatasetTab; label: string }> = [
  { id: 'versions', label: 'Versions' },
  { id: 'upload', label: 'Upload' },
  { id: 'sharing', label: 'Sharing' },
];

export function DatasetDetail({ id, tab, version }: { id: string; tab: DatasetTab; version?: string }) {
  const dataset = useCall(getDatasetCall, { id });
  const queries = useQueryClient();
  const share = useCallMutation(shareDataset, { onSuccess: () => void queries.invalidateQueries() });
  if (dataset.isPending) {
    return (
      <>
        <PageHeader title="Dataset" />
        <Loading label="Loading the dataset…" />
      </>
    );
  }
  if (dataset.isError) {
    return (
      <>
        <PageHeader title="Dataset" />
        <ErrorBanner title="Could not open the dataset" error={dataset.error} onRetry={() => void dataset.refetch()} />
      </>
    );
  }
  const d = dataset.data;
  return (
    <>
      <PageHeader title={d.name} description={d.description || undefined} actions={<a className="button button--ghost button--md" href="#/datasets">All datasets</a>} />
      <div className="rs-tabs" role="tablist" aria-label="Dataset sections">
        {TABS.map((t) => (
          <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} className={tab === t.id ? 'rs-tab rs-tab--current' : 'rs-tab'} onClick={() => navigate(datasetPath(id, t.id))}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="rs-tabpanel" role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
        {tab === 'versions' ? version ? <VersionView datasetId={id} version={version} /> : <VersionList id={id} /> : null}
        {tab === 'upload' ? <UploadPanel datasetId={id} /> : null}
        {tab === 'sharing' && d.sharing ? <SharingPanel what={d.name} sharing={d.sharing} saving={share.isPending} error={share.error} onSave={(change) => share.mutate({ id, ...change })} /> : null}
        {tab === 'sharing' && !d.sharing ? <p>This platform is older than sharing: everyone with a token can read its datasets.</p> : null}
      </div>
    </>
  );
}

function VersionList({ id }: { id: string }) {
  const versions = useCall(listDatasetVersions, { id });
  if (versions.isPending) return <Loading label="Loading versions…" />;
  if (versions.isError) return <ErrorBanner title="Could not list the versions" error={versions.error} onRetry={() => void versions.refetch()} />;
  if (versions.data.items.length === 0) {
    return (
      <EmptyState icon="capsules" title="No version yet" actions={<a className="button button--primary button--md" href={`#${datasetPath(id, 'upload')}`}>Upload files</a>}>
        <p>Upload files to seal the first version. A version never changes: its id is the hash of its file list.</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Message</th>
            <th scope="col">Size</th>
            <th scope="col">Sealed</th>
          </tr>
        </thead>
        <tbody>
          {versions.data.items.map((v) => (
            <tr key={v.version}>
              <th scope="row">
                <a href={`#${datasetPath(id, 'versions', v.version)}`}>
                  <code>{shortSha(v.version)}</code>
                </a>
              </th>
              <td>{v.message || <span className="rs-muted">no message</span>}</td>
              <td>{formatBytes(v.size)}</td>
              <td>{formatTime(v.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
