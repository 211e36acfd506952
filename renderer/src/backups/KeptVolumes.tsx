import type { EarlierStackVolume, KeptVolume } from '../../../common/api/backups.contract.js';

/**
 * Data volumes of the stack that are not in use (kept by restores): what each costs and how to delete
 * it. Volumes an earlier stack of the same name kept are not this stack's; they are named apart.
 */
export function KeptVolumes({ volumes, earlierStack }: { volumes: KeptVolume[]; earlierStack: EarlierStackVolume[] }) {
  return (
    <>
      {volumes.length > 0 ? <KeptTable volumes={volumes} /> : null}
      {earlierStack.length > 0 ? (
        <p className="muted" aria-label="Volumes of an earlier stack">
          {earlierStack.length === 1 ? '1 data volume' : `${earlierStack.length} data volumes`} tagged with this stack’s name belong to an earlier stack of the same name
          (another CloudFormation stack id), kept when it was deleted; they are not listed above and delete with data leaves them:{' '}
          {earlierStack.map((v, i) => (
            <span key={v.volumeId} title={`made by ${v.stackId}`}>
              {i > 0 ? ', ' : null}
              <code>{v.volumeId}</code>
            </span>
          ))}
          . Find them in the EC2 console (Volumes) by these ids.
        </p>
      ) : null}
    </>
  );
}

function KeptTable({ volumes }: { volumes: KeptVolume[] }) {
  const monthly = volumes.reduce((sum, v) => sum + (v.monthlyCostUsd ?? 0), 0);
  return (
    <>
      <h3>Data volumes not in use</h3>
      <p className="muted">
        Kept when a restore replaced them, so nothing was lost. They cost about ${monthly.toFixed(2)} a month until you delete them: in the EC2 console
        (Volumes), or with the command beside each. Deleting one cannot be undone; its recovery points in the vault stay.
      </p>
      <table className="table" aria-label="Data volumes not in use">
        <thead>
          <tr>
            <th scope="col">Volume</th>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Size</th>
            <th scope="col">A month</th>
            <th scope="col">Delete with</th>
          </tr>
        </thead>
        <tbody>
          {volumes.map((v) => (
            <tr key={v.volumeId}>
              <td>
                <code>{v.volumeId}</code>
              </td>
              <td>{v.name ?? '—'}{v.replacedBy ? <span className="muted"> (replaced by {v.replacedBy})</span> : null}</td>
              <td>{v.state}</td>
              <td>{v.sizeGiB === null ? '—' : `${v.sizeGiB} GiB`}</td>
              <td>{v.monthlyCostUsd === null ? '—' : `$${v.monthlyCostUsd.toFixed(2)}`}</td>
              <td>
                <code>{v.deleteCommand}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
