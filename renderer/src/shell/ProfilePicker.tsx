import { useId } from 'react';
import { Icon } from '../components/Icon.js';
import type { ActiveProfile } from '../data/use-active-profile.js';

const NONE = '';

/** The header's profile choice and who it signs in as; Setup shows the same data in full. */
export function ProfilePicker({ active }: { active: ActiveProfile }) {
  const id = useId();
  const { profiles, chosenName, profile, identity } = active;
  const names = profiles.data?.profiles.map((p) => p.name) ?? [];
  const missing = chosenName !== undefined && profiles.isSuccess && !profile;
  return (
    <div className="profile-picker">
      <label htmlFor={id} className="profile-picker__label">
        AWS profile
      </label>
      <select
        id={id}
        className="select"
        value={chosenName ?? NONE}
        disabled={!profiles.isSuccess}
        onChange={(event) => active.choose(event.target.value === NONE ? null : event.target.value)}
      >
        <option value={NONE}>{profiles.isPending ? 'Reading profiles…' : profiles.isError ? 'Profiles unavailable' : 'No profile'}</option>
        {missing ? <option value={chosenName}>{chosenName} (missing)</option> : null}
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <span className="identity-chip" aria-live="polite" data-state={!profile ? 'none' : identity.status}>
        {!profile ? null : identity.isPending ? (
          <>
            <span className="spinner spinner--inline" aria-hidden="true" /> Checking identity…
          </>
        ) : identity.isError ? (
          <a href="#/setup" className="identity-chip__link" title={identity.error.message}>
            <Icon name="alert" size={14} /> Identity check failed
          </a>
        ) : (
          <span title={identity.data.arn}>
            <Icon name="user" size={14} /> Account <span className="mono">{identity.data.account}</span>
          </span>
        )}
      </span>
    </div>
  );
}
