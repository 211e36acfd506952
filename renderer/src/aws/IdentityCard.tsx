import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import type { ActiveProfile } from '../data/use-active-profile.js';

/** Who the chosen profile signs in as, through STS GetCallerIdentity, so the admin knows which account they are about to change. */
export function IdentityCard({ active }: { active: ActiveProfile }) {
  const { profile, chosenName, identity, region } = active;
  if (!profile) {
    return (
      <p className="muted">
        {chosenName
          ? `The profile "${chosenName}" chosen earlier is no longer in your AWS configuration. Choose another one above.`
          : 'Choose a profile above to check which AWS account and identity it signs in as.'}
      </p>
    );
  }
  if (identity.isPending) return <Loading label={`Asking AWS STS who "${profile.name}" is…`} />;
  if (identity.isError) {
    return (
      <ErrorBanner
        title={`Could not confirm the identity of "${profile.name}"`}
        error={identity.error}
        onRetry={() => void identity.refetch()}
        retrying={identity.isFetching}
      />
    );
  }
  return (
    <div className="identity">
      <dl className="details">
        <div>
          <dt>Account</dt>
          <dd className="mono">{identity.data.account}</dd>
        </div>
        <div>
          <dt>Region</dt>
          <dd className="mono">{region}</dd>
        </div>
        <div>
          <dt>User id</dt>
          <dd className="mono">{identity.data.userId}</dd>
        </div>
        <div className="details__wide">
          <dt>Identity (ARN)</dt>
          <dd className="mono wrap">{identity.data.arn}</dd>
        </div>
      </dl>
      <Button size="sm" icon="refresh" onClick={() => void identity.refetch()} busy={identity.isFetching}>
        Check again
      </Button>
    </div>
  );
}
