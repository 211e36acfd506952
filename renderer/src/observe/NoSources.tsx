import { EmptyState } from '../components/EmptyState.js';
import type { IconName } from '../components/Icon.js';

/** What an Observe page says when there is nothing to observe: no sandbox and no deployment. */
export function NoSources({ icon, what }: { icon: IconName; what: string }) {
  return (
    <EmptyState
      icon={icon}
      title={`Nothing to show — no sandbox and no deployment`}
      needs={['A deployed stack (see Deployment), and an AWS profile that may read CloudWatch.', 'Or the local sandbox: start Benchtop without BENCHTOP_SANDBOX=off.']}
    >
      <p>{what}</p>
    </EmptyState>
  );
}
