import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function AlarmsPage() {
  return (
    <>
      <PageHeader title="Alarms" description="What is wrong right now, and who gets told." />
      <EmptyState
        icon="alarms"
        title="No alarms yet — they are created with the stack"
        needs={['A deployed stack (see Deployment).', 'Optionally an email address for notifications, set during install.']}
      >
        <p>
          The stack raises alarms for instance health, disk space, a stuck queue, failed runs and the budget, and sends them to an
          SNS topic. Their state and history will be listed here.
        </p>
      </EmptyState>
    </>
  );
}
