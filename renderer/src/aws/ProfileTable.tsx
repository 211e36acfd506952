import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Icon } from '../components/Icon.js';
import { Loading } from '../components/Loading.js';
import type { ActiveProfile } from '../data/use-active-profile.js';
import { PROFILE_KIND_LABEL } from './profile-kind.js';

/** The profiles of the user's AWS CLI configuration, with the one in use marked and a way to pick another. */
export function ProfileTable({ active }: { active: ActiveProfile }) {
  const { profiles } = active;
  if (profiles.isPending) return <Loading label="Reading your AWS profiles…" />;
  if (profiles.isError) {
    return <ErrorBanner title="Could not read your AWS profiles" error={profiles.error} onRetry={() => void profiles.refetch()} retrying={profiles.isFetching} />;
  }
  const { profiles: list, configFile } = profiles.data;
  if (list.length === 0) {
    return (
      <EmptyState
        icon="user"
        title="No AWS profiles found"
        needs={[
          <>
            A profile in <code>{configFile}</code>: run <code>aws configure sso</code> (IAM Identity Center) or{' '}
            <code>aws configure --profile NAME</code> (access keys).
          </>,
        ]}
        actions={
          <Button icon="refresh" onClick={() => void profiles.refetch()} busy={profiles.isFetching}>
            Read again
          </Button>
        }
      />
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption>
          {list.length} {list.length === 1 ? 'profile' : 'profiles'} from <code>{configFile}</code>
        </caption>
        <thead>
          <tr>
            <th scope="col">Profile</th>
            <th scope="col">Credentials</th>
            <th scope="col">Region</th>
            <th scope="col">
              <span className="sr-only">Use</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((profile) => {
            const inUse = profile.name === active.profile?.name;
            return (
              <tr key={profile.name} aria-current={inUse ? 'true' : undefined} className={inUse ? 'table__row--active' : undefined}>
                <th scope="row">{profile.name}</th>
                <td>{PROFILE_KIND_LABEL[profile.kind]}</td>
                <td>{profile.region ?? <span className="muted">not set</span>}</td>
                <td className="table__action">
                  {inUse ? (
                    <span className="badge badge--accent">
                      <Icon name="check" size={14} /> In use
                    </span>
                  ) : (
                    <Button size="sm" onClick={() => active.choose(profile.name)} aria-label={`Use profile ${profile.name}`}>
                      Use
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
