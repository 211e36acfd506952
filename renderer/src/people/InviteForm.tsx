import { useState, type FormEvent } from 'react';
import { inviteUser, type IssuedInvite } from '../../../common/api/users.contract.js';
import { useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { ROLE_HELP, ROLE_LABEL, PERSON_ROLES, type PersonRole } from './roles.js';

/** Adds a person and makes their invite. */
export function InviteForm({ onInvited }: { onInvited: (invite: IssuedInvite) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<PersonRole>('researcher');
  const invite = useCallMutation(inviteUser, { onSuccess: (value) => (setName(''), onInvited(value)) });
  const issue = invite.error?.issues?.find((i) => i.path === 'name')?.message;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate({ name, role });
  };
  return (
    <form className="card pp-form" onSubmit={submit} aria-label="Invite a user">
      <h2 className="card__title">Invite a user</h2>
      <Field label="Name" hint="How they appear in the audit trail and on shared capsules." {...(issue ? { error: issue } : {})}>
        {(c) => <input {...c} className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />}
      </Field>
      <Field label="Role" hint={ROLE_HELP[role]}>
        {(c) => (
          <select {...c} className="input" value={role} onChange={(e) => setRole(e.target.value as PersonRole)}>
            {PERSON_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Button type="submit" variant="primary" busy={invite.isPending} disabled={name.trim() === ''}>
        Make invite
      </Button>
      {invite.error && !issue ? <ErrorBanner title="Could not invite" error={invite.error} /> : null}
    </form>
  );
}
