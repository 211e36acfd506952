import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { addPlatform, listPlatforms, removePlatform, setActivePlatform } from '../../../../common/api/platforms.contract.js';
import { useCall, useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Field } from '../../components/Field.js';
import { Loading } from '../../components/Loading.js';
import { useToast } from '../../components/Toast.js';

/** The platforms this app knows: switch the active one, remove one, add a deployed stack by URL and token. */
export function PlatformManager() {
  const toast = useToast();
  const queries = useQueryClient();
  const platforms = useCall(listPlatforms, undefined, { staleTime: 0 });
  // Everything shown came from the previous platform: ask again.
  const refreshAll = () => void queries.invalidateQueries();
  const activate = useCallMutation(setActivePlatform, {
    onSuccess: (p) => {
      toast.show({ tone: 'info', message: `Now using ${p.name}.` });
      refreshAll();
    },
    onError: (e) => toast.show({ tone: 'danger', message: e.message }),
  });
  const remove = useCallMutation(removePlatform, { onSuccess: refreshAll, onError: (e) => toast.show({ tone: 'danger', message: e.message }) });
  const [form, setForm] = useState({ name: '', url: '', token: '' });
  const add = useCallMutation(addPlatform, {
    onSuccess: (p) => {
      setForm({ name: '', url: '', token: '' });
      toast.show({ tone: 'success', message: `Connected to ${p.name}.` });
      refreshAll();
    },
  });
  const issue = (field: string) => add.error?.issues?.find((i) => i.path === field)?.message;
  return (
    <section className="rs-platforms card" aria-label="Platforms">
      <h2 className="card__title">Platforms</h2>
      {platforms.isPending ? <Loading inline label="Loading platforms…" /> : null}
      {platforms.isError ? <ErrorBanner title="Could not list the platforms" error={platforms.error} /> : null}
      <ul className="rs-platforms__list">
        {platforms.data?.platforms.map((p) => (
          <li key={p.id} className={p.active ? 'rs-platforms__item rs-platforms__item--active' : 'rs-platforms__item'}>
            <div>
              <strong>{p.name}</strong> {p.active ? <span className="badge badge--accent">active</span> : null}
              <div className="rs-muted">{p.kind === 'local' ? `this computer${p.url ? ` · ${p.url}` : ''}` : p.deploymentId ? `${p.url} · connected from the deployment` : p.url}</div>
            </div>
            {!p.active ? (
              <Button size="sm" onClick={() => activate.mutate({ id: p.id })} busy={activate.isPending && activate.variables?.id === p.id}>
                Use
              </Button>
            ) : null}
            {p.kind === 'remote' ? (
              <Button size="sm" variant="ghost" onClick={() => remove.mutate({ id: p.id })} aria-label={`Remove ${p.name}`}>
                Remove
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      <form
        className="rs-platforms__add"
        aria-label="Add a platform"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ ...form, activate: true });
        }}
      >
        <h3>Add a deployed platform</h3>
        <Field label="Name" error={issue('name')}>
          {(p) => <input {...p} className="input" value={form.name} placeholder="Our lab" onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label="URL" error={issue('url')}>
          {(p) => <input {...p} className="input" value={form.url} placeholder="https://platform.example.org" onChange={(e) => setForm({ ...form, url: e.target.value })} />}
        </Field>
        <Field label="Token" error={issue('token')} hint="From the invite your admin made for you on the Users page. An admin needs none: a stack installed from Setup connects by itself (see the Deployment page). Kept encrypted by the desktop app; never shown again.">
          {(p) => <input {...p} className="input" type="password" autoComplete="off" value={form.token} onChange={(e) => setForm({ ...form, token: e.target.value })} />}
        </Field>
        {add.isError && !add.error.issues ? <ErrorBanner title="The platform was not added" error={add.error} /> : null}
        <Button type="submit" variant="primary" busy={add.isPending}>
          Check and add
        </Button>
      </form>
    </section>
  );
}
