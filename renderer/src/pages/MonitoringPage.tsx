import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function MonitoringPage() {
  return (
    <>
      <PageHeader title="Monitoring" description="Health and load of the platform: instances, queues, runs and logs." />
      <EmptyState
        icon="monitoring"
        title="Nothing to monitor yet — deploy the platform first"
        needs={['A deployed stack (see Deployment).', 'An AWS profile that may read CloudWatch metrics and logs.']}
      >
        <p>
          Here you will see instance health, queue depth, running and failed runs over time, and live logs of the services agent
          and the workers (CloudWatch Live Tail).
        </p>
      </EmptyState>
    </>
  );
}
