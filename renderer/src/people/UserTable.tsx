import { useState } from 'react';
import { reinviteUser, revokeUserAccess, setUserRole, type IssuedInvite } from '../../../common/api/users.contract.js';
import type { User } from '../../../common/protocol/users.js';
import { useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useToast } from '../components/Toast.js';
import { formatTime } from '../researcher/format.js';
import { ConfirmButton } from './ConfirmButton.js';
import { PERSON_ROLES, ROLE_LABEL, type PersonRole } from './roles.js';
import { TokenList } from './TokenList.js';

/** Everyone with access to the platform: role (changeable), last seen, tokens, a new invite, locking out. */
export function UserTable({ users, onChanged, onInvite }: { users: User[]; onChanged: () => void; onInvite: (invite: IssuedInvite) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const toast = useToast();
  const role = useCallMutation(setUserRole, {
    onSuccess: (u) => (toast.show({ tone: 'success', message: `${u.name} is now ${ROLE_LABEL[u.role]}.` }), onChanged()),
  });
  const reinvite = useCallMutation(reinviteUser, { onSuccess: onInvite });
  const revokeAll = useCallMutation(revokeUserAccess, {
    onSuccess: () => (toast.show({ tone: 'success', message: 'Every token of that user was revoked.' }), onChanged()),
  });
  const error = role.error ?? reinvite.error ?? revokeAll.error;
  return (
    <div className="table-wrap">
      {error ? <ErrorBanner title="Could not change the user" error={error} /> : null}
      <table className="table pp-users">
        <caption className="sr-only">Users of this platform</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Last seen</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              open={open === u.id}
              onToggle={() => setOpen(open === u.id ? null : u.id)}
              onRole={(r) => role.mutate({ userId: u.id, role: r })}
              onReinvite={() => reinvite.mutate({ userId: u.id, label: 'invite' })}
              onRevokeAll={() => revokeAll.mutate({ userId: u.id })}
              busy={role.isPending || reinvite.isPending || revokeAll.isPending}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  user: User;
  open: boolean;
  busy: boolean;
  onToggle: () => void;
  onRole: (role: PersonRole) => void;
  onReinvite: () => void;
  onRevokeAll: () => void;
}

function UserRow({ user, open, busy, onToggle, onRole, onReinvite, onRevokeAll }: RowProps) {
  const isWorker = user.role === 'worker';
  return (
    <>
      <tr>
        <th scope="row">{user.name}</th>
        <td>
          {isWorker ? (
            ROLE_LABEL.worker
          ) : (
            <select className="input" aria-label={`Role of ${user.name}`} value={user.role} disabled={busy} onChange={(e) => onRole(e.target.value as PersonRole)}>
              {PERSON_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          )}
        </td>
        <td>{user.lastSeenAt ? formatTime(user.lastSeenAt) : 'never'}</td>
        <td className="pp-actions">
          <Button size="sm" variant="ghost" aria-expanded={open} onClick={onToggle}>
            {open ? 'Hide tokens' : 'Tokens'}
          </Button>
          {isWorker ? null : (
            <Button size="sm" variant="ghost" disabled={busy} onClick={onReinvite}>
              New invite
            </Button>
          )}
          <ConfirmButton label="Revoke access" question={`Lock ${user.name} out? Every token of theirs stops working at once.`} confirmLabel="Revoke all tokens" busy={busy} onConfirm={onRevokeAll} />
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={4}>
            <TokenList user={user} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
