import { diffLines } from 'diff';
import type { Run } from '../../../../common/protocol/index.js';
import { compareRuns, getRun, listRuns, readResult } from '../../../../common/api/runs.contract.js';
import { useCall } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { PageHeader } from '../../components/PageHeader.js';
import { navigate } from '../../shell/hash-location.js';
import { formatTime } from '../format.js';
import { runPath } from '../routes.js';
import { environmentDifferences } from './run-environment.js';

/** Two runs side by side: what their environments differed in, then identical results, or which result files changed, were added or removed — with a diff of text files. */
export function CompareRuns({ a, b }: { a: string; b?: string }) {
  const runA = useCall(getRun, { id: a });
  return (
    <>
      <PageHeader
        title="Compare runs"
        description={
          <>
            <a href={`#${runPath(a)}`}>
              <code>{a}</code>
            </a>{' '}
            against {b ? <code>{b}</code> : 'another run of the same capsule'}
          </>
        }
      />
      {runA.isError ? <ErrorBanner title={`Could not read run ${a}`} error={runA.error} /> : null}
      {runA.data ? <OtherRunPicker run={runA.data} selected={b} /> : null}
      {b && runA.data ? <EnvironmentComparison a={runA.data} b={b} /> : null}
      {b ? <Comparison a={a} b={b} /> : null}
    </>
  );
}

/** What each run executed in, side by side: a different package version explains a different result. */
function EnvironmentComparison({ a, b }: { a: Run; b: string }) {
  const runB = useCall(getRun, { id: b });
  if (runB.isPending) return <Loading label="Reading the second run's environment…" />;
  if (runB.isError) return <ErrorBanner title={`Could not read run ${b}`} error={runB.error} onRetry={() => void runB.refetch()} />;
  const differences = environmentDifferences(a, runB.data);
  if (differences.length === 0) {
    return (
      <p className="rs-compare__summary" role="status" aria-label="Environment">
        Environment: the same in both runs{a.resolvedEnvironment ? ` (${a.resolvedEnvironment.summary})` : ''}.
      </p>
    );
  }
  return (
    <section className="rs-compare__list rs-compare__list--changed" aria-label="Environment differences">
      <h3>Environment differences</h3>
      <table className="rs-env-diff">
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">
              <code>{a.id}</code>
            </th>
            <th scope="col">
              <code>{b}</code>
            </th>
          </tr>
        </thead>
        <tbody>
          {differences.map((d) => (
            <tr key={d.what}>
              <th scope="row">{d.what}</th>
              <td>
                <code>{d.first}</code>
              </td>
              <td>
                <code>{d.second}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function OtherRunPicker({ run, selected }: { run: Run; selected?: string }) {
  const runs = useCall(listRuns, { capsuleId: run.capsuleId, state: 'succeeded' });
  const others = runs.data?.items.filter((r) => r.id !== run.id) ?? [];
  return (
    <label className="rs-compare-pick">
      Compare with{' '}
      <select className="select" value={selected ?? ''} onChange={(e) => e.target.value && navigate(`/runs/${run.id}/compare/${e.target.value}`)}>
        <option value="">{runs.isPending ? 'Loading…' : others.length === 0 ? 'No other finished run of this capsule' : 'Choose a run…'}</option>
        {others.map((r) => (
          <option key={r.id} value={r.id}>
            {r.id} — {formatTime(r.finishedAt ?? r.createdAt)}
            {r.rerunOf === run.id ? ' (re-run of this one)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function Comparison({ a, b }: { a: string; b: string }) {
  const result = useCall(compareRuns, { a, b });
  if (result.isPending) return <Loading label="Comparing the results…" />;
  if (result.isError) return <ErrorBanner title="Could not compare the runs" error={result.error} onRetry={() => void result.refetch()} />;
  const { identical, changed, added, removed } = result.data;
  if (identical) {
    return (
      <EmptyState icon="check" title="The results are identical">
        <p>Every result file has the same content (sha256) in both runs.</p>
      </EmptyState>
    );
  }
  return (
    <div className="rs-compare">
      <p className="rs-compare__summary" role="status">
        {changed.length} changed · {added.length} added · {removed.length} removed
      </p>
      <PathList title="Changed" tone="changed" paths={changed} />
      <PathList title="Added in the second run" tone="added" paths={added} />
      <PathList title="Removed in the second run" tone="removed" paths={removed} />
      {changed.map((path) => (
        <TextDiff key={path} a={a} b={b} path={path} />
      ))}
    </div>
  );
}

function PathList({ title, tone, paths }: { title: string; tone: string; paths: string[] }) {
  if (paths.length === 0) return null;
  return (
    <section className={`rs-compare__list rs-compare__list--${tone}`} aria-label={title}>
      <h3>{title}</h3>
      <ul>
        {paths.map((p) => (
          <li key={p}>
            <code>{p}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TextDiff({ a, b, path }: { a: string; b: string; path: string }) {
  const left = useCall(readResult, { id: a, path });
  const right = useCall(readResult, { id: b, path });
  if (left.isPending || right.isPending) return <Loading label={`Reading ${path}…`} />;
  if (left.isError || right.isError) return <ErrorBanner title={`Could not read ${path}`} error={(left.error ?? right.error)!} />;
  if (left.data.encoding !== 'utf8' || right.data.encoding !== 'utf8') {
    return <p className="rs-muted">{path}: binary file, the contents differ.</p>;
  }
  const parts = diffLines(left.data.content, right.data.content);
  return (
    <section className="rs-diff" aria-label={`Diff of ${path}`}>
      <h3>
        <code>{path}</code>
      </h3>
      <pre className="rs-diff__body">
        {parts.map((part, i) => (
          <span key={i} className={part.added ? 'rs-diff__add' : part.removed ? 'rs-diff__del' : 'rs-diff__same'}>
            {part.value
              .replace(/\n$/, '')
              .split('\n')
              .map((line) => `${part.added ? '+' : part.removed ? '-' : ' '} ${line}`)
              .join('\n')}
            {'\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}
