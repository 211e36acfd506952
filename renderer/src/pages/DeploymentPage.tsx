import { useState } from 'react';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { useCall } from '../api/hooks.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { PageHeader } from '../components/PageHeader.js';
import { DeploymentView } from '../deploy/DeploymentView.js';

export function DeploymentPage() {
  const deployments = useCall(listDeployments, undefined);
  const [chosen, setChosen] = useState<string>();
  const list = deployments.data?.deployments ?? [];
  const current = list.find((d) => d.id === chosen) ?? list[0];
  return (
    <>
      <PageHeader title="Deployment" description="The platform stack in your AWS account: its status, version, outputs, and upgrades." />
      {deployments.isPending ? <Loading label="Reading your deployments" /> : null}
      {deployments.error ? <ErrorBanner title="Could not read your deployments" error={deployments.error} onRetry={() => void deployments.refetch()} /> : null}
      {list.length > 1 ? (
        <label className="field">
          <span className="field__label">Deployment</span>
          <select className="select input" value={current?.id} onChange={(e) => setChosen(e.target.value)}>
            {list.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.region}
                {d.accountId ? `, account ${d.accountId}` : ''}
                {d.profile ? `, profile ${d.profile}` : ''})
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {current ? <DeploymentView key={current.id} deployment={current} /> : null}
      {deployments.data && !current ? (
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
      ) : null}
    </>
  );
}
