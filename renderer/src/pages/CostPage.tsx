import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function CostPage() {
  return (
    <>
      <PageHeader title="Cost" description="What the platform costs your lab: per month, per researcher, per run." />
      <EmptyState
        icon="cost"
        title="No cost data yet — deploy the platform and let it run"
        needs={[
          'A deployed stack (see Deployment).',
          'Cost Explorer enabled in the account; new costs appear after about a day.',
        ]}
      >
        <p>
          Here you will see the month so far and the forecast, cost per researcher and per run, and budgets with their alarms. The
          cost model&rsquo;s estimate (idle stack and per worker-hour) is shown before you install.
        </p>
      </EmptyState>
    </>
  );
}
