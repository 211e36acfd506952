import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function RunsPage() {
  return (
    <>
      <PageHeader title="Runs" description="Every run of a capsule: queued, running and finished, with logs and results." />
      <EmptyState icon="runs" title="No runs to show" needs={['Connect to a platform (the local sandbox starts with the app).']}>
        <p>
          Here you will launch runs on CPU or GPU workers, follow their logs live, read and compare results, and re-run any of them
          exactly.
        </p>
      </EmptyState>
    </>
  );
}
