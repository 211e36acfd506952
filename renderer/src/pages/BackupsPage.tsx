import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function BackupsPage() {
  return (
    <>
      <PageHeader title="Backups" description="Snapshots of the platform's data volume, and restoring from them." />
      <EmptyState
        icon="backups"
        title="No backups yet — the backup plan is part of the stack"
        needs={['A deployed stack (see Deployment).']}
      >
        <p>
          AWS Backup takes a daily snapshot of the services data volume (runs, capsules, the queue) and keeps it 14 days unless
          you choose otherwise. Recovery points, their age and size, and restores will be listed here.
        </p>
      </EmptyState>
    </>
  );
}
