import { useState, type FormEvent } from 'react';
import { listCapsules } from '../../../common/api/capsules.contract.js';
import { listDownstreamRuns } from '../../../common/api/pipelines.contract.js';
import { launchRun } from '../../../common/api/runs.contract.js';
import type { Run } from '../../../common/protocol/runs.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { formatTime, shortSha } from '../researcher/format.js';
import { runPath } from '../researcher/routes.js';
import { navigate } from '../shell/hash-location.js';
import '../people/people.css';
import './pipelines.css';

/** Where a run's inputs came from, which runs read its results, and a way to feed them to a new run. */
export function Lineage({ run }: { run: Run }) {
  // Others may launch from these results at any time: asked again whenever the run page shows it.
  const downstream = useCall(listDownstreamRuns, { id: run.id }, { staleTime: 0 });
  return (
    <section className="card pl-lineage" aria-label="Lineage">
      <h2 className="card__title">Lineage</h2>
      <h3>Reads the results of</h3>
      {run.inputs.length === 0 ? (
        <p className="rs-muted">No other run: its data came from datasets only.</p>
      ) : (
        <ul>
          {run.inputs.map((i) => (
            <li key={`${i.runId}:${i.mount}`}>
              <a href={`#${runPath(i.runId)}`}>{i.runId}</a>
              {i.path ? (
                <>
                  {' '}
                  (<code>{i.path}</code>)
                </>
              ) : null}{' '}
              at <code>/data/{i.mount}</code> · manifest <code title={i.manifestHash}>{shortSha(i.manifestHash)}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>Read by</h3>
      {downstream.isError ? <ErrorBanner title="Could not list the runs that read this one" error={downstream.error} /> : null}
      {downstream.isSuccess && downstream.data.items.length === 0 ? <p className="rs-muted">No run has read these results yet.</p> : null}
      {downstream.isSuccess && downstream.data.items.length > 0 ? (
        <ul>
          {downstream.data.items.map((r) => (
            <li key={r.id}>
              <a href={`#${runPath(r.id)}`}>{r.id}</a> · {r.state} · {formatTime(r.createdAt)}
            </li>
          ))}
        </ul>
      ) : null}
      {run.state === 'succeeded' ? <FeedForward run={run} /> : null}
    </section>
  );
}

function FeedForward({ run }: { run: Run }) {
  const capsules = useCall(listCapsules, {});
  const [capsuleId, setCapsuleId] = useState('');
  const [mount, setMount] = useState('upstream');
  const [path, setPath] = useState('');
  const launch = useCallMutation(launchRun, { onSuccess: (r) => navigate(runPath(r.id)) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    launch.mutate({ capsuleId: capsuleId || run.capsuleId, inputs: [{ runId: run.id, mount, ...(path.trim() ? { path: path.trim() } : {}) }] });
  };
  return (
    <form className="pp-form" aria-label="Use these results in a new run" onSubmit={submit}>
      <h3>Use these results in a new run</h3>
      <Field label="Capsule to run">
        {(c) => (
          <select {...c} className="input" value={capsuleId || run.capsuleId} onChange={(e) => setCapsuleId(e.target.value)}>
            {(capsules.data?.items ?? []).map((cap) => (
              <option key={cap.id} value={cap.id}>
                {cap.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Mounted at" hint={`The run reads them read-only under /data/${mount || '…'}.`}>
        {(c) => <input {...c} className="input" value={mount} onChange={(e) => setMount(e.target.value)} pattern="[A-Za-z0-9][A-Za-z0-9._-]{0,63}" required />}
      </Field>
      <Field label="Only this file or folder (optional)">{(c) => <input {...c} className="input" value={path} onChange={(e) => setPath(e.target.value)} placeholder="all results" />}</Field>
      <Button type="submit" variant="primary" busy={launch.isPending}>
        Launch the next step
      </Button>
      {launch.error ? <ErrorBanner title="Could not launch the run" error={launch.error} /> : null}
    </form>
  );
}
