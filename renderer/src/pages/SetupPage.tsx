import { IdentityCard } from '../aws/IdentityCard.js';
import { ProfileTable } from '../aws/ProfileTable.js';
import { PageHeader } from '../components/PageHeader.js';
import { InstallWizard } from '../deploy/InstallWizard.js';
import { useActiveProfile } from '../data/use-active-profile.js';

export function SetupPage() {
  const active = useActiveProfile();
  return (
    <>
      <PageHeader
        title="Setup"
        description="Choose the AWS account Benchtop works in. Profiles are read from your AWS CLI configuration; Benchtop never stores credentials."
      />
      <section className="card" aria-labelledby="setup-profiles">
        <h2 id="setup-profiles" className="card__title">
          AWS profiles
        </h2>
        <ProfileTable active={active} />
      </section>
      <section className="card" aria-labelledby="setup-identity">
        <h2 id="setup-identity" className="card__title">
          Identity{active.profile ? <span className="card__subtitle"> — {active.profile.name}</span> : null}
        </h2>
        <IdentityCard active={active} />
      </section>
      <section className="card" aria-labelledby="setup-install">
        <h2 id="setup-install" className="card__title">
          Install the platform
        </h2>
        <p className="muted">
          Preflight checks of the account, a plan you review as a change set, then the stack deployed with live progress. Until then
          the local sandbox runs the platform on this machine.
        </p>
        {/* A new profile or its region starts the wizard afresh: its checks and lists belong to that account. */}
        <InstallWizard key={`${active.profile?.name ?? ''}@${active.region}`} profile={active.profile?.name} region={active.region} />
      </section>
    </>
  );
}
