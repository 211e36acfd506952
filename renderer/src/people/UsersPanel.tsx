import { useState } from 'react';
import { listUsers, type IssuedInvite } from '../../../common/api/users.contract.js';
import { useCall } from '../api/hooks.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { InviteCard } from './InviteCard.js';
import { InviteForm } from './InviteForm.js';
import { UserTable } from './UserTable.js';

/** The admin's part: invite, list, change roles, tokens. A non-admin is told why it is not for them. */
export function UsersPanel() {
  const users = useCall(listUsers, {});
  const [invite, setInvite] = useState<IssuedInvite | null>(null);
  const shown = (value: IssuedInvite) => (setInvite(value), void users.refetch());
  if (users.isPending) return <Loading label="Loading users…" />;
  if (users.isError && users.error.code === 'forbidden') {
    return (
      <EmptyState icon="user" title="Only an admin manages users">
        <p>Your token is not an admin's. Ask your lab's admin to invite people or change roles.</p>
      </EmptyState>
    );
  }
  if (users.isError) return <ErrorBanner title="Could not list the users" error={users.error} onRetry={() => void users.refetch()} />;
  return (
    <div className="pp-users-panel">
      {invite ? <InviteCard invite={invite} onDone={() => setInvite(null)} /> : <InviteForm onInvited={shown} />}
      <UserTable users={users.data.items} onChanged={() => void users.refetch()} onInvite={shown} />
    </div>
  );
}
