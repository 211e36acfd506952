import { useState } from 'react';
import type { AuditEntry } from '../../../common/protocol/audit.js';
import { listAudit } from '../../../common/api/users.contract.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { formatTime } from '../researcher/format.js';

const KINDS = ['', 'capsule', 'dataset', 'run', 'user', 'budget'] as const;

/** The append-only audit trail, newest first, filtered by kind of thing; older pages on demand. */
export function AuditTrail() {
  const [kind, setKind] = useState<(typeof KINDS)[number]>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const input = { limit: 100, ...(kind ? { targetKind: kind } : {}) };
  const first = useCall(listAudit, input);
  return (
    <section aria-label="Audit trail">
      <div className="rs-filters">
        <label className="rs-check">
          Show
          <select className="input" value={kind} onChange={(e) => (setKind(e.target.value as (typeof KINDS)[number]), setCursors([]))}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k ? `${k} changes` : 'everything'}
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" icon="refresh" onClick={() => (setCursors([]), void first.refetch())}>
          Refresh
        </Button>
      </div>
      {first.isPending ? <Loading label="Loading the audit trail…" /> : null}
      {first.isError ? <ErrorBanner title="Could not read the audit trail" error={first.error} onRetry={() => void first.refetch()} /> : null}
      {first.isSuccess && first.data.items.length === 0 ? (
        <EmptyState icon="check" title="Nothing recorded yet">
          <p>Commits, runs launched and cancelled, sharing and role changes appear here as they happen; nothing can be removed from it.</p>
        </EmptyState>
      ) : null}
      {first.isSuccess && first.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="table pp-audit">
            <caption className="sr-only">Audit trail, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On</th>
              </tr>
            </thead>
            <tbody>
              <AuditRows items={first.data.items} />
              {cursors.map((c) => (
                <AuditPage key={c} input={{ ...input, cursor: c }} />
              ))}
            </tbody>
          </table>
          <MoreButton next={cursors.length === 0 ? first.data.next : undefined} pages={cursors} input={input} onMore={(c) => setCursors([...cursors, c])} />
        </div>
      ) : null}
    </section>
  );
}

function AuditRows({ items }: { items: AuditEntry[] }) {
  return (
    <>
      {items.map((e) => (
        <tr key={e.seq}>
          <td>{formatTime(e.at)}</td>
          <td>{e.actorName}</td>
          <td>
            <code>{e.action}</code> {e.summary}
          </td>
          <td>
            <span className="rs-muted">{e.targetKind}</span> <code>{e.targetId}</code>
          </td>
        </tr>
      ))}
    </>
  );
}

function AuditPage({ input }: { input: { limit: number; targetKind?: string; cursor: string } }) {
  const page = useCall(listAudit, input);
  if (!page.isSuccess) return null;
  return <AuditRows items={page.data.items} />;
}

/** "Older entries" continues from the last page loaded (the first, or the latest older page). */
function MoreButton({ next, pages, input, onMore }: { next: string | undefined; pages: string[]; input: { limit: number; targetKind?: string }; onMore: (cursor: string) => void }) {
  const last = pages.at(-1);
  const lastPage = useCall(listAudit, { ...input, cursor: last ?? '' }, { enabled: last !== undefined });
  const cursor = last === undefined ? next : lastPage.data?.next;
  if (!cursor) return null;
  return (
    <Button size="sm" onClick={() => onMore(cursor)}>
      Older entries
    </Button>
  );
}
