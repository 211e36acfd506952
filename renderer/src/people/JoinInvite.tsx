import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { openInvite } from '../../../common/api/users.contract.js';
import { useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { takeOpenedInvite, useOpenedInvite } from './opened-invite.js';

/** Connects this app to a platform from the invite an admin sent: a pasted link or the invite file. */
export function JoinInvite() {
  const [text, setText] = useState('');
  const opened = useOpenedInvite();
  // A link the app was opened with fills the form; connecting stays the user's decision.
  useEffect(() => {
    if (opened === null) return;
    setText(opened);
    takeOpenedInvite();
  }, [opened]);
  const queries = useQueryClient();
  const open = useCallMutation(openInvite, {
    // Every page shows the active platform's data: ask again now that it is another one.
    onSuccess: () => (setText(''), void queries.invalidateQueries()),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate({ text });
  };
  const readFile = (file: File | undefined) => {
    if (!file) return;
    void file.text().then((content) => open.mutate({ text: content }));
  };
  return (
    <form className="card pp-form" onSubmit={submit} aria-label="Join with an invite">
      <h2 className="card__title">Join with an invite</h2>
      <p>Your admin sends an invite file or a link. Click the link, or open it here: Benchtop checks it with the platform, keeps the token in this computer's secret store and connects.</p>
      <Field label="Invite file">{(c) => <input {...c} type="file" accept=".json,application/json" onChange={(e) => readFile(e.target.files?.[0])} />}</Field>
      <Field label="…or paste the invite link" hint='It starts with "benchtop://connect?".'>
        {(c) => <textarea {...c} className="input rs-mono" rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <Button type="submit" variant="primary" busy={open.isPending} disabled={text.trim() === ''}>
        Connect
      </Button>
      {open.isSuccess ? (
        <p className="pp-success" role="status">
          Connected to {open.data.name} ({open.data.url}). It is now the active platform.
        </p>
      ) : null}
      {open.error ? <ErrorBanner title="Could not use this invite" error={open.error} /> : null}
    </form>
  );
}
