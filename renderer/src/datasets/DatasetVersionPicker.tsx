import { listDatasetVersions } from '../../../common/api/datasets.contract.js';
import { useCall } from '../api/hooks.js';
import { formatBytes, formatTime, shortSha } from '../researcher/format.js';

/** Which version of a dataset a run mounts: the latest unless an earlier one is picked ("" = latest). */
export function DatasetVersionPicker({ datasetId, name, value, onChange }: { datasetId: string; name: string; value: string; onChange: (version: string) => void }) {
  const versions = useCall(listDatasetVersions, { id: datasetId });
  return (
    <select className="input ds-version-picker" aria-label={`Version of ${name}`} value={value} onChange={(e) => onChange(e.target.value)} disabled={!versions.isSuccess}>
      <option value="">latest</option>
      {(versions.data?.items ?? []).map((v) => (
        <option key={v.version} value={v.version}>
          {shortSha(v.version)} · {formatBytes(v.size)} · {formatTime(v.createdAt)}
          {v.message ? ` · ${v.message.slice(0, 40)}` : ''}
        </option>
      ))}
    </select>
  );
}
