import { useState } from 'react';
import { listPeople } from '../../../common/api/users.contract.js';
import type { Sharing, SharingRequest } from '../../../common/protocol/sharing.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import type { ApiCallError } from '../api/client.js';

/**
 * Who may see and change a capsule or dataset: its owner, private or the lab (read), and named
 * collaborators (edit). Only the owner or an admin may save; the platform says so to anyone else.
 */
export function SharingPanel({ what, sharing, onSave, saving, error }: { what: string; sharing: Sharing; onSave: (change: SharingRequest) => void; saving: boolean; error: ApiCallError | null }) {
  const people = useCall(listPeople, {});
  const [visibility, setVisibility] = useState(sharing.visibility);
  const [collaborators, setCollaborators] = useState<string[]>(sharing.collaborators);
  const nameOf = (id: string) => people.data?.items.find((p) => p.id === id)?.name ?? id;
  const toggle = (id: string) => setCollaborators((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  return (
    <section className="card pp-form" aria-label={`Sharing of ${what}`}>
      <p>
        Owner: <strong>{nameOf(sharing.ownerId)}</strong>. PIs and admins can read everything in the lab.
      </p>
      <fieldset className="pp-fieldset">
        <legend>Who else can read it</legend>
        <label className="rs-check">
          <input type="radio" name="visibility" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Only the people below
        </label>
        <label className="rs-check">
          <input type="radio" name="visibility" checked={visibility === 'lab'} onChange={() => setVisibility('lab')} /> Everyone in the lab
        </label>
      </fieldset>
      <fieldset className="pp-fieldset">
        <legend>Collaborators (may change it)</legend>
        {people.isError ? <ErrorBanner title="Could not list the lab's people" error={people.error} /> : null}
        {(people.data?.items ?? [])
          .filter((p) => p.id !== sharing.ownerId)
          .map((p) => (
            <label key={p.id} className="rs-check">
              <input type="checkbox" checked={collaborators.includes(p.id)} onChange={() => toggle(p.id)} /> {p.name} <span className="rs-muted">({p.role})</span>
            </label>
          ))}
        {people.isSuccess && people.data.items.length <= 1 ? <p className="rs-muted">Nobody else is on this platform yet: an admin invites people on the Users page.</p> : null}
      </fieldset>
      <Button variant="primary" busy={saving} onClick={() => onSave({ visibility, collaborators })}>
        Save sharing
      </Button>
      {error ? <ErrorBanner title="Could not change the sharing" error={error} /> : null}
    </section>
  );
}
