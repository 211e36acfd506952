import { useEffect, useMemo, useState } from 'react';
import { createRunRequest, parameters as parametersSchema, type CreateRunRequest } from '../../../../common/protocol/index.js';
import { capsuleHistory, getCapsule, listCapsules } from '../../../../common/api/capsules.contract.js';
import { launchRun, listDatasets } from '../../../../common/api/runs.contract.js';
import { useCall, useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { Loading } from '../../components/Loading.js';
import { useToast } from '../../components/Toast.js';
import { navigate } from '../../shell/hash-location.js';
import { formatTime, shortSha } from '../format.js';
import { runPath } from '../routes.js';
import { PartialEnvironmentChoice } from './PartialEnvironmentChoice.js';
import { joinCommand, splitCommand } from './split-command.js';
import { DatasetVersionPicker } from '../../datasets/DatasetVersionPicker.js';

interface ParamRow {
  name: string;
  value: string;
}

interface FormState {
  capsuleId: string;
  ref: string;
  command: string;
  params: ParamRow[];
  datasets: string[];
  /** A pinned version per dataset; absent: the latest. */
  versions: Record<string, string>;
  queue: 'cpu' | 'gpu';
  network: boolean;
  cpus: string;
  memoryMb: string;
  gpus: string;
  timeoutSeconds: string;
  /** Go on without what a worker cannot install natively (apt packages); else such a worker refuses the run. */
  partialEnvironment?: boolean;
}

/** Numbers stay numbers and true/false booleans, as a command expects them; anything else is text. */
function paramValue(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** Builds the request and checks it with the protocol's own schema; errors are keyed by field. */
export function buildLaunch(form: FormState): { ok: true; request: CreateRunRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const command = splitCommand(form.command);
  if (!command.ok) errors.command = `The command ${command.error}.`;
  const parameters: Record<string, string | number | boolean> = {};
  for (const [i, row] of form.params.entries()) {
    const name = row.name.trim();
    if (name === '' && row.value === '') continue;
    const key = parametersSchema.keyType.safeParse(name);
    if (!key.success) errors[`parameters.${i}`] = `"${name}": ${key.error.issues[0]?.message ?? 'not a valid name'}.`;
    else if (Object.hasOwn(parameters, name)) errors[`parameters.${i}`] = `"${name}" is given twice.`;
    parameters[name] = paramValue(row.value);
  }
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const resources = Object.fromEntries(
    Object.entries({ cpus: number(form.cpus), memoryMb: number(form.memoryMb), gpus: number(form.gpus), timeoutSeconds: number(form.timeoutSeconds) }).filter(([, v]) => v !== undefined),
  );
  const request: CreateRunRequest = {
    capsuleId: form.capsuleId,
    ...(form.ref !== 'HEAD' ? { ref: form.ref } : {}),
    ...(command.ok && command.argv.length > 0 ? { command: command.argv } : {}),
    parameters,
    datasets: form.datasets.map((datasetId) => ({ datasetId, ...(form.versions[datasetId] ? { version: form.versions[datasetId] } : {}) })),
    queue: form.queue,
    resources,
    network: form.network,
    ...(form.partialEnvironment ? { partialEnvironment: true } : {}),
  };
  const parsed = createRunRequest.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, second] = issue.path.map(String);
      if (head === 'parameters' && Object.keys(errors).some((k) => k.startsWith('parameters.'))) continue;
      const key = head === 'parameters' ? 'parameters' : head === 'resources' ? `resources.${second}` : (head ?? 'form');
      errors[key] ??= head === 'parameters' && second ? `"${second}": ${issue.message}` : issue.message;
    }
  }
  if (form.capsuleId === '') errors.capsuleId = 'Choose a capsule.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, request };
}

const EMPTY: FormState = { capsuleId: '', ref: 'HEAD', command: '', params: [{ name: '', value: '' }], datasets: [], versions: {}, queue: 'cpu', network: false, cpus: '', memoryMb: '', gpus: '', timeoutSeconds: '' };

export function LaunchForm({ capsuleId }: { capsuleId?: string }) {
  const toast = useToast();
  const capsules = useCall(listCapsules, {});
  const datasets = useCall(listDatasets, undefined);
  const [form, setForm] = useState<FormState>({ ...EMPTY, capsuleId: capsuleId ?? '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  // One key per form: a double submit or a retried request launches one run, not two.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const capsule = useCall(getCapsule, { id: form.capsuleId }, { enabled: form.capsuleId !== '' });
  const history = useCall(capsuleHistory, { id: form.capsuleId }, { enabled: form.capsuleId !== '' });
  const launch = useCallMutation(launchRun, {
    onSuccess: (run) => {
      toast.show({ tone: 'success', message: `Run ${run.id} is queued.` });
      navigate(runPath(run.id));
    },
  });

  // The command field starts as the capsule's default command, and network as its environment
  // asks, once per chosen capsule.
  useEffect(() => {
    if (capsule.data) setForm((f) => ({ ...f, command: joinCommand(capsule.data.command), network: capsule.data.environment.network ?? false }));
  }, [capsule.data?.id]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = () => {
    const built = buildLaunch(form);
    if (!built.ok) return setErrors(built.errors);
    setErrors({});
    launch.mutate({ ...built.request, idempotencyKey });
  };

  if (capsules.isPending) return <Loading label="Loading capsules…" />;
  if (capsules.isError) return <ErrorBanner title="Could not list the capsules" error={capsules.error} onRetry={() => void capsules.refetch()} />;
  if (capsules.data.items.length === 0) {
    return (
      <EmptyState icon="capsules" title="No capsule to run" actions={<a className="button button--primary button--md" href="#/capsules/new">New capsule</a>}>
        <p>A run executes a version of a capsule. Create one first.</p>
      </EmptyState>
    );
  }
  return (
    <form
      className="rs-form card"
      aria-label="Launch a run"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Field label="Capsule" error={errors.capsuleId}>
        {(p) => (
          <select {...p} className="select" value={form.capsuleId} onChange={(e) => setForm({ ...form, capsuleId: e.target.value, ref: 'HEAD' })}>
            <option value="">Choose…</option>
            {capsules.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Version" error={errors.ref} hint="The newest version unless you pick an earlier one.">
        {(p) => (
          <select {...p} className="select" value={form.ref} onChange={(e) => set('ref', e.target.value)} disabled={!history.data}>
            <option value="HEAD">Newest (HEAD)</option>
            {history.data?.items.map((c) => (
              <option key={c.sha} value={c.sha}>
                {shortSha(c.sha)} — {c.message} ({formatTime(c.createdAt)})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Command" error={errors.command} hint="Arguments as in a shell, with quotes; no pipes or variables.">
        {(p) => <input {...p} className="input rs-mono" value={form.command} onChange={(e) => set('command', e.target.value)} />}
      </Field>
      <fieldset className="rs-fieldset">
        <legend>Parameters</legend>
        <p className="field__hint">The command reads each as the environment variable PARAM_&lt;name&gt;.</p>
        {form.params.map((row, i) => (
          <div className="rs-param" key={i}>
            <input className="input" aria-label={`Parameter ${i + 1} name`} placeholder="name" value={row.name} onChange={(e) => set('params', form.params.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)))} />
            <input className="input" aria-label={`Parameter ${i + 1} value`} placeholder="value" value={row.value} onChange={(e) => set('params', form.params.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))} />
            <Button size="sm" variant="ghost" aria-label={`Remove parameter ${i + 1}`} onClick={() => set('params', form.params.filter((_, j) => j !== i))}>
              Remove
            </Button>
            {errors[`parameters.${i}`] ? <p className="field__error">{errors[`parameters.${i}`]}</p> : null}
          </div>
        ))}
        {errors.parameters ? <p className="field__error">{errors.parameters}</p> : null}
        <Button size="sm" onClick={() => set('params', [...form.params, { name: '', value: '' }])}>
          Add parameter
        </Button>
      </fieldset>
      <fieldset className="rs-fieldset">
        <legend>Datasets</legend>
        {datasets.isError ? <ErrorBanner title="Could not list the datasets" error={datasets.error} /> : null}
        {datasets.data?.items.length === 0 ? <p className="field__hint">No dataset on this platform yet.</p> : null}
        {datasets.data?.items.map((d) => (
          <label key={d.id} className="rs-check">
            <input
              type="checkbox"
              checked={form.datasets.includes(d.id)}
              disabled={d.latestVersion === null}
              onChange={(e) => set('datasets', e.target.checked ? [...form.datasets, d.id] : form.datasets.filter((x) => x !== d.id))}
            />{' '}
            {d.name} <span className="rs-muted">(mounted at /data/{d.name})</span>
            {form.datasets.includes(d.id) ? <DatasetVersionPicker datasetId={d.id} name={d.name} value={form.versions[d.id] ?? ''} onChange={(v) => set('versions', { ...form.versions, [d.id]: v })} /> : null}
          </label>
        ))}
      </fieldset>
      <fieldset className="rs-fieldset">
        <legend>Worker</legend>
        <label className="rs-check">
          <input type="radio" name="queue" checked={form.queue === 'cpu'} onChange={() => set('queue', 'cpu')} /> CPU
        </label>
        <label className="rs-check">
          <input type="radio" name="queue" checked={form.queue === 'gpu'} onChange={() => set('queue', 'gpu')} /> GPU
        </label>
        <div className="rs-resources">
          <NumberField label="CPUs" value={form.cpus} error={errors['resources.cpus']} placeholder="1" onChange={(v) => set('cpus', v)} />
          <NumberField label="Memory (MB)" value={form.memoryMb} error={errors['resources.memoryMb']} placeholder="2048" onChange={(v) => set('memoryMb', v)} />
          <NumberField label="GPUs" value={form.gpus} error={errors['resources.gpus']} placeholder={form.queue === 'gpu' ? '1' : '0'} onChange={(v) => set('gpus', v)} />
          <NumberField label="Time limit (s)" value={form.timeoutSeconds} error={errors['resources.timeoutSeconds']} placeholder="3600" onChange={(v) => set('timeoutSeconds', v)} />
        </div>
        <label className="rs-check">
          <input type="checkbox" checked={form.network} onChange={(e) => set('network', e.target.checked)} /> Network access
        </label>
        <p className="field__hint">Off: the run reaches no other computer, nor servers on this one.</p>
      </fieldset>
      {capsule.data ? <PartialEnvironmentChoice environment={capsule.data.environment} checked={form.partialEnvironment ?? false} onChange={(allowed) => set('partialEnvironment', allowed)} /> : null}
      {launch.isError ? <ErrorBanner title="The run was not launched" error={launch.error} /> : null}
      <div className="rs-form__actions">
        <Button type="submit" variant="primary" icon="runs" busy={launch.isPending}>
          Launch run
        </Button>
      </div>
    </form>
  );
}

function NumberField({ label, value, error, placeholder, onChange }: { label: string; value: string; error?: string; placeholder: string; onChange: (v: string) => void }) {
  return (
    <Field label={label} error={error}>
      {(p) => <input {...p} className="input" inputMode="decimal" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
