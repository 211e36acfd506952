import type { KeptVolume } from '../../../common/api/backups.contract.js';

/** Data volumes of the stack that are not in use (kept by restores): what each costs and how to delete it. */
export function KeptVolumes({ volumes }: { volumes: KeptVolume[] }) {
  if (volumes.length === 0) return null;
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
