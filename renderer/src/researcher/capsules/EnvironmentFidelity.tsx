import type { Capsule, EnvironmentFidelity as Fidelity } from '../../../../common/protocol/index.js';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { listRuns } from '../../../../common/api/runs.contract.js';
import { useCall } from '../../api/hooks.js';
import { formatBytes, formatTime } from '../format.js';
import { runPath } from '../routes.js';
import { nativeGaps } from '../runs/PartialEnvironmentChoice.js';
import { fidelityLabel } from '../runs/run-environment.js';

const TONE: Record<Fidelity, string> = { container: 'success', 'native-complete': 'success', 'native-partial': 'accent', host: 'neutral' };

function FidelityBadge({ fidelity, label }: { fidelity: Fidelity; label: string }) {
  return <span className={`badge rs-state rs-state--${TONE[fidelity]}`}>{label}</span>;
}

/** What the sandbox would give this environment: the container engine's image, or a native environment, complete or not. */
function Expected({ capsule }: { capsule: Capsule }) {
  const status = useCall(platformStatus, undefined, { staleTime: 10_000 });
  const sandbox = status.data?.sandbox;
  if (!sandbox?.runtime) {
    return <p className="rs-muted">The platform&apos;s workers decide: AWS workers build the capsule&apos;s image (container).</p>;
  }
  const gaps = nativeGaps(capsule.environment);
  const fidelity: Fidelity = sandbox.runtime.name === 'docker' ? 'container' : gaps.length > 0 ? 'native-partial' : 'native-complete';
  const cache = sandbox.environmentCache;
  return (
    <>
      <p>
        <FidelityBadge fidelity={fidelity} label={fidelityLabel({ fidelity, skipped: gaps })} /> <span className="rs-muted">{sandbox.runtime.reason}.</span>
      </p>
      {fidelity === 'native-partial' ? (
        <p className="rs-env-warning" role="status">
          {gaps.join(', ')} cannot be installed here. A run is refused unless it is launched with a partial environment, and is then marked so.
        </p>
      ) : null}
      <p className="rs-muted">
        Environment cache:{' '}
        {cache
          ? `${formatBytes(cache.bytes)} of ${formatBytes(cache.maxBytes)} (${cache.entries} environment${cache.entries === 1 ? '' : 's'}; the least recently used are removed beyond that)`
          : 'empty until a run prepares an environment'}
      </p>
    </>
  );
}

/** The capsule page's "environment fidelity": what its latest run had, and what a run on this platform would get. */
export function EnvironmentFidelity({ capsule }: { capsule: Capsule }) {
  const runs = useCall(listRuns, { capsuleId: capsule.id, limit: 50 });
  const latest = runs.data?.items.find((r) => r.resolvedEnvironment !== null);
  return (
    <section className="rs-env-fidelity" aria-label="Environment fidelity">
      <h3>Environment fidelity</h3>
      <div className="rs-record">
        <div>
          <dt>Latest run</dt>
          <dd>
            {runs.isPending ? <span className="rs-muted">Loading the runs…</span> : null}
            {runs.isError ? <span className="rs-muted">Could not list the runs: {runs.error.message}</span> : null}
            {runs.isSuccess && !latest ? <span className="rs-muted">No run of this capsule has recorded its environment yet.</span> : null}
            {latest?.resolvedEnvironment ? (
              <>
                <FidelityBadge fidelity={latest.resolvedEnvironment.fidelity} label={fidelityLabel(latest.resolvedEnvironment)} />{' '}
                <a href={`#${runPath(latest.id)}`}>{latest.id}</a> <span className="rs-muted">({formatTime(latest.finishedAt ?? latest.createdAt)})</span>
                <div className="rs-muted">{latest.resolvedEnvironment.summary}</div>
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>On this platform</dt>
          <dd>
            <Expected capsule={capsule} />
          </dd>
        </div>
      </div>
    </section>
  );
}
