import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function TerminalPage() {
  return (
    <>
      <PageHeader title="Terminal" description="A shell on a platform instance, without SSH keys or open ports." />
      <EmptyState
        icon="terminal"
        title="No instance to connect to"
        needs={['A deployed stack (see Deployment).', 'An AWS profile allowed to start SSM sessions.']}
      >
        <p>Open a shell on a stack instance through SSM Session Manager, once a stack is deployed.</p>
      </EmptyState>
    </>
  );
}
