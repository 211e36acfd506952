import { useDeferredValue, useState } from 'react';
import { getDatasetVersion, runsUsingDataset } from '../../../common/api/datasets.contract.js';
import { useCall } from '../api/hooks.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { formatBytes, formatTime, shortSha } from '../researcher/format.js';
import { runPath } from '../researcher/routes.js';

const SHOWN = 500;

/** One sealed version: its files (filterable), its hash, and the runs that mounted it. */
export function VersionView({ datasetId, version }: { datasetId: string; version: string }) {
  const v = useCall(getDatasetVersion, { id: datasetId, version });
  const runs = useCall(runsUsingDataset, { id: datasetId, version });
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  if (v.isPending) return <Loading label="Loading the version…" />;
  if (v.isError) return <ErrorBanner title="Could not read the version" error={v.error} onRetry={() => void v.refetch()} />;
  const files = deferred ? v.data.files.filter((f) => f.path.toLowerCase().includes(deferred)) : v.data.files;
  return (
    <section aria-label={`Version ${shortSha(version)}`} className="ds-version">
      <h2>
        Version <code>{shortSha(version)}</code>
      </h2>
      <p className="rs-muted">
        {v.data.message || 'No message'} · {v.data.files.length} files · {formatBytes(v.data.size)} · sealed {formatTime(v.data.createdAt)} · sha256 <code className="rs-mono">{version}</code>
      </p>
      <h3>Used by</h3>
      {runs.isPending ? <Loading label="Looking for runs…" /> : null}
      {runs.isSuccess && runs.data.items.length === 0 ? <p className="rs-muted">No run among the latest {runs.data.searched} used this version.</p> : null}
      {runs.isSuccess && runs.data.items.length > 0 ? (
        <ul>
          {runs.data.items.map((r) => (
            <li key={r.id}>
              <a href={`#${runPath(r.id)}`}>{r.id}</a> · {r.state} · {formatTime(r.createdAt)}
            </li>
          ))}
        </ul>
      ) : null}
      <h3>Files</h3>
      <input className="input rs-search" type="search" aria-label="Filter files" placeholder="Filter by path" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Files of this version</caption>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Size</th>
              <th scope="col">sha256</th>
            </tr>
          </thead>
          <tbody>
            {files.slice(0, SHOWN).map((f) => (
              <tr key={f.path}>
                <th scope="row" className="rs-mono">
                  {f.path}
                </th>
                <td>{formatBytes(f.size)}</td>
                <td>
                  <code>{shortSha(f.sha256)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {files.length > SHOWN ? <p className="rs-muted">Showing {SHOWN} of {files.length} files; filter to find others.</p> : null}
    </section>
  );
}
