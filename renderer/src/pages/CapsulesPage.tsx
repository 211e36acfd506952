import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function CapsulesPage() {
  return (
    <>
      <PageHeader title="Capsules" description="Code, environment and default command, versioned together so any run can be repeated." />
      <EmptyState
        icon="capsules"
        title="No capsules to show"
        needs={['Connect to a platform (the local sandbox starts with the app).']}
      >
        <p>Here you will browse capsules and their history, look at any version of their files, and launch runs from them.</p>
      </EmptyState>
    </>
  );
}
