import { EmptyState } from '../components/EmptyState.js';
import { PageHeader } from '../components/PageHeader.js';

export function DeploymentPage() {
  return (
    <>
      <PageHeader title="Deployment" description="The platform stack in your AWS account: its status, version, outputs, and upgrades." />
      <EmptyState
        icon="deployment"
        title="No deployment yet — connect an AWS profile and run Setup to install the platform"
        needs={[
          'An AWS profile allowed to create CloudFormation stacks (choose one in the header or on Setup).',
          'The install on Setup: preflight checks, a plan you review, then apply.',
        ]}
        actions={
          <a className="button button--primary button--md" href="#/setup">
            Go to Setup
          </a>
        }
      >
        <p>
          Once installed, this page shows the stack&rsquo;s status and live events, the version it runs, its outputs (the platform
          URL), and upgrades planned as a reviewable change set.
        </p>
      </EmptyState>
    </>
  );
}
