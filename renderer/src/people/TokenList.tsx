import { listUserTokens, revokeUserToken } from '../../../common/api/users.contract.js';
import type { User } from '../../../common/protocol/users.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { formatTime } from '../researcher/format.js';
import { ConfirmButton } from './ConfirmButton.js';

/** A user's tokens: when each was made and last used; a live one can be revoked. */
export function TokenList({ user }: { user: User }) {
  const tokens = useCall(listUserTokens, { userId: user.id });
  const revoke = useCallMutation(revokeUserToken, { onSuccess: () => void tokens.refetch() });
  if (tokens.isPending) return <Loading label={`Loading the tokens of ${user.name}…`} />;
  if (tokens.isError) return <ErrorBanner title={`Could not list the tokens of ${user.name}`} error={tokens.error} onRetry={() => void tokens.refetch()} />;
  if (tokens.data.items.length === 0) return <p className="rs-muted">{user.name} has no token yet: make an invite.</p>;
  return (
    <>
      <table className="table pp-tokens">
        <caption className="sr-only">Tokens of {user.name}</caption>
        <thead>
          <tr>
            <th scope="col">Token</th>
            <th scope="col">Made</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {tokens.data.items.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                <code>{t.id}</code> {t.label ? <span className="rs-muted">{t.label}</span> : null}
              </th>
              <td>{formatTime(t.createdAt)}</td>
              <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${formatTime(t.revokedAt)}`
                ) : (
                  <ConfirmButton label="Revoke" question={`Revoke ${t.id}? Apps using it stop working at once.`} confirmLabel="Revoke token" busy={revoke.isPending} onConfirm={() => revoke.mutate({ tokenId: t.id })} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoke.error ? <ErrorBanner title="Could not revoke the token" error={revoke.error} /> : null}
    </>
  );
}
