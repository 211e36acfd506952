import { FINISHED_STATES, type Run } from '../../../../common/protocol/index.js';
import { getCapsule } from '../../../../common/api/capsules.contract.js';
import { cancelRun, getRun, rerunRun } from '../../../../common/api/runs.contract.js';
import { useCall, useCallMutation, useSetCallData } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { PageHeader } from '../../components/PageHeader.js';
import { useToast } from '../../components/Toast.js';
import { navigate } from '../../shell/hash-location.js';
import { formatCost, formatDuration, runDuration, shortSha } from '../format.js';
import { capsulePath, runPath, type RunTab } from '../routes.js';
import { LogView } from './LogView.js';
import { ResultsBrowser } from './ResultsBrowser.js';
import { useRefetchWhile } from './RunList.js';
import { RunStateBadge } from './RunStateBadge.js';
import { StateTimeline } from './StateTimeline.js';
import { fidelityLabel } from './run-environment.js';
import { Lineage } from '../../pipelines/Lineage.js';

const TABS: { id: RunTab; label: string }[] = [
  { id: 'logs', label: 'Logs' },
  { id: 'results', label: 'Results' },
  { id: 'details', label: 'Details' },
];

export function RunDetail({ id, tab }: { id: string; tab: RunTab }) {
  const toast = useToast();
  const run = useCall(getRun, { id }, { staleTime: 0 });
  const setRun = useSetCallData();
  const finished = run.data ? FINISHED_STATES.includes(run.data.state) : false;
  useRefetchWhile(run.isSuccess && !finished, run.refetch, 1500);
  const cancel = useCallMutation(cancelRun, {
    onSuccess: (r) => {
      setRun(getRun, { id }, r);
      toast.show({ tone: 'info', message: r.state === 'cancelled' ? `Run ${id} is cancelled.` : `Cancel asked; the worker stops run ${id} at its next heartbeat.` });
    },
    onError: (e) => toast.show({ tone: 'danger', message: `Could not cancel: ${e.message}` }),
  });
  const rerun = useCallMutation(rerunRun, {
    onSuccess: (r) => {
      toast.show({ tone: 'success', message: `Re-run ${r.id} is queued.` });
      navigate(runPath(r.id));
    },
    onError: (e) => toast.show({ tone: 'danger', message: `Could not re-run: ${e.message}` }),
  });

  if (run.isError) {
    return (
      <>
        <PageHeader title={`Run ${id}`} />
        <ErrorBanner title="Could not read the run" error={run.error} onRetry={() => void run.refetch()} retrying={run.isFetching} />
      </>
    );
  }
  // One tree whether or not the run is read yet, so the log view opens at once (in parallel with
  // reading the run) and stays mounted when the run arrives: a long log is what takes time.
  const r = run.data;
  return (
    <>
      <PageHeader
        title={`Run ${id}`}
        description={r ? <RunSubtitle run={r} /> : undefined}
        actions={
          r ? (
            <>
              {r.state === 'running' ? (
                <Button icon="terminal" onClick={() => navigate(`/terminal/run/${id}`)} title="A shell inside this run (its owner, a PI or an admin)">
                  Terminal
                </Button>
              ) : null}
              {!finished ? (
                <Button variant="danger" onClick={() => cancel.mutate({ id })} busy={cancel.isPending} disabled={r.cancelRequested}>
                  Cancel
                </Button>
              ) : null}
              <Button onClick={() => rerun.mutate({ id })} busy={rerun.isPending}>
                Re-run
              </Button>
              <Button onClick={() => navigate(`/runs/${id}/compare`)} disabled={!finished}>
                Compare…
              </Button>
            </>
          ) : undefined
        }
      />
      {r ? <StateTimeline run={r} /> : <Loading label="Loading the run…" />}
      <div className="rs-tabs" role="tablist" aria-label="Run views">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={t.id === tab} className={t.id === tab ? 'rs-tab rs-tab--current' : 'rs-tab'} onClick={() => navigate(runPath(id, t.id))}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="rs-tabpanel">
        {tab === 'logs' ? <LogView runId={id} live={r ? !finished : false} /> : null}
        {tab === 'results' && r ? <ResultsBrowser run={r} /> : null}
        {tab === 'details' && r ? <RunRecord run={r} /> : null}
        {tab === 'details' && r ? <Lineage run={r} /> : null}
      </div>
    </>
  );
}

function RunSubtitle({ run }: { run: Run }) {
  const capsule = useCall(getCapsule, { id: run.capsuleId });
  const duration = runDuration(run);
  return (
    <span className="rs-subtitle">
      <RunStateBadge state={run.state} />{' '}
      <a href={`#${capsulePath(run.capsuleId)}`}>{capsule.data?.name ?? run.capsuleId}</a> at <code>{shortSha(run.commit)}</code>
      {duration !== null ? ` · ${formatDuration(duration)}` : ''} · {run.queue.toUpperCase()} · cost {formatCost(run.costUsd)}
      {run.rerunOf ? (
        <>
          {' '}
          · re-run of <a href={`#${runPath(run.rerunOf)}`}>{run.rerunOf}</a>
        </>
      ) : null}
    </span>
  );
}

function RunRecord({ run }: { run: Run }) {
  const rows: [string, string][] = [
    ['Command', run.command.join(' ')],
    ['Parameters', Object.keys(run.parameters).length ? Object.entries(run.parameters).map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'none'],
    ['Commit', run.commit],
    ['Environment', `${run.environment.baseImage} (hash ${run.environmentHash.slice(0, 12)})`],
    ['Image digest', run.imageDigest ?? '—'],
    ['Environment fidelity', run.resolvedEnvironment ? `${fidelityLabel(run.resolvedEnvironment)}: ${run.resolvedEnvironment.summary}` : run.partialEnvironment ? 'not recorded yet (a partial environment is allowed)' : 'not recorded yet'],
    ['Interpreter', run.resolvedEnvironment?.interpreter ?? '—'],
    ['Packages (lock)', run.resolvedEnvironment?.packages.length ? run.resolvedEnvironment.packages.map((p) => `${p.name}==${p.version}${p.manager === 'conda' ? ' (conda)' : ''}`).join(', ') : '—'],
    ['Datasets', run.datasets.length ? run.datasets.map((d) => `${d.mount} = ${d.datasetId}@${d.version.slice(0, 12)}`).join(', ') : 'none'],
    ['Resources', `${run.resources.cpus} CPU · ${run.resources.memoryMb} MB · ${run.resources.gpus} GPU · limit ${formatDuration(run.resources.timeoutSeconds * 1000)}`],
    ['Worker', run.workerId ? `${run.workerId}${run.workerInstanceType ? ` (${run.workerInstanceType})` : ''}` : '—'],
    ['Network', run.network ? 'asked for' : 'none asked'],
    ['Isolation', run.isolation ? [run.isolation.summary, ...run.isolation.limits.map((l) => `${l.resource} ≤ ${l.value} ${l.unit} (${l.via})`)].join(' · ') : '—'],
    ['Attempts', `${run.attempts} of ${run.maxAttempts}`],
    ['Exit code', run.exitCode === null ? '—' : String(run.exitCode)],
    ['Launched by', run.userId],
  ];
  return (
    <dl className="rs-record">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <code>{v}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}
