import type { EnvironmentSpec } from '../../../../common/protocol/index.js';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { useCall } from '../../api/hooks.js';

/** What a worker without a container engine cannot install: apt packages (and conda ones where no conda front end is). */
export function nativeGaps(environment: EnvironmentSpec): string[] {
  return [...environment.apt.map((p) => `apt ${p}`), ...environment.conda.map((p) => `conda ${p}`)];
}

/**
 * Asked before a run starts, for a capsule whose environment a worker may honour only in part:
 * without a container engine, apt packages cannot be installed. Unticked, such a worker refuses
 * the run and says why; ticked, it runs without them and the record says "partial environment".
 */
export function PartialEnvironmentChoice({ environment, checked, onChange }: { environment: EnvironmentSpec; checked: boolean; onChange: (allowed: boolean) => void }) {
  const status = useCall(platformStatus, undefined, { staleTime: 10_000 });
  const gaps = nativeGaps(environment);
  if (gaps.length === 0) return null;
  const runtime = status.data?.sandbox?.runtime;
  const native = runtime?.name === 'process';
  return (
    <fieldset className="rs-fieldset" aria-label="Environment">
      <legend>Environment</legend>
      {native ? (
        <p className="rs-env-warning" role="status">
          This sandbox has no container engine, so it cannot install {gaps.join(', ')}. Install Docker or Podman to get the whole environment.
        </p>
      ) : (
        <p className="field__hint">
          Workers with a container engine install {gaps.join(', ')} in the capsule&apos;s image; a worker without one cannot.
        </p>
      )}
      <label className="rs-check">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> Run with a partial environment where these cannot be installed
      </label>
      <p className="field__hint">Unticked, such a worker refuses the run and says why. Ticked, the run goes on without them and is marked &quot;partial environment&quot;.</p>
    </fieldset>
  );
}
