import { useDeferredValue, useState } from 'react';
import { listCapsules } from '../../../../common/api/capsules.contract.js';
import { useCall } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { navigate } from '../../shell/hash-location.js';
import { formatTime, shortSha } from '../format.js';
import { capsulePath } from '../routes.js';

/** Every capsule of the active platform, most recently changed first, searchable by name and description. */
export function CapsuleList() {
  const [search, setSearch] = useState('');
  const deferred = useDeferredValue(search.trim());
  const capsules = useCall(listCapsules, deferred ? { search: deferred } : {});
  return (
    <section aria-label="Capsules">
      <div className="rs-filters">
        <input className="input rs-search" type="search" aria-label="Search capsules" placeholder="Search by name or description" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {capsules.isPending ? <Loading label="Loading capsules…" /> : null}
      {capsules.isError ? <ErrorBanner title="Could not list the capsules" error={capsules.error} onRetry={() => void capsules.refetch()} retrying={capsules.isFetching} /> : null}
      {capsules.isSuccess && capsules.data.items.length === 0 ? (
        deferred ? (
          <EmptyState icon="capsules" title={`No capsule matches "${deferred}"`}>
            <p>Try other words, or clear the search.</p>
          </EmptyState>
        ) : (
          <EmptyState icon="capsules" title="No capsules yet" actions={<a className="button button--primary button--md" href="#/capsules/new">New capsule</a>}>
            <p>A capsule holds code, its environment and a default command, versioned together so any run can be repeated.</p>
          </EmptyState>
        )
      ) : null}
      {capsules.isSuccess && capsules.data.items.length > 0 ? (
        <ul className="rs-cards">
          {capsules.data.items.map((c) => (
            <li key={c.id}>
              <a className="card rs-capsule-card" href={`#${capsulePath(c.id)}`} onClick={(e) => (e.preventDefault(), navigate(capsulePath(c.id)))}>
                <span className="card__title">{c.name}</span>
                <span className="card__subtitle">{c.description || 'No description'}</span>
                <span className="rs-muted">
                  {c.environment.baseImage} · <code>{shortSha(c.head)}</code> · changed {formatTime(c.updatedAt)}
                </span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {capsules.data?.truncated ? <p className="rs-muted">Only the first 10,000 capsules were searched.</p> : null}
    </section>
  );
}
