import { useState } from 'react';
import { platformStatus } from '../../../common/api/platforms.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { useCall } from '../api/hooks.js';
import { PageHeader } from '../components/PageHeader.js';
import { DeploymentPicker } from '../cost/DeploymentPicker.js';
import { PlatformBudget } from '../cost/PlatformBudget.js';
import { PlatformCost } from '../cost/PlatformCost.js';
import { StackCostView } from '../cost/StackCostView.js';
import '../cost/cost.css';

export function CostPage() {
  const status = useCall(platformStatus, undefined);
  const deployments = useCall(listDeployments, undefined);
  const [chosen, setChosen] = useState<string>();
  const list = deployments.data?.deployments ?? [];
  const current = list.find((d) => d.id === chosen) ?? list[0];
  const local = status.data?.platform?.kind === 'local';
  return (
    <>
      <PageHeader title="Cost" description="What the platform costs your lab: per month, per researcher, per capsule and per run, with the budget that stops it." />
      <PlatformCost local={local} />
      <PlatformBudget />
      <DeploymentPicker deployments={list} value={current} onChange={setChosen} />
      {current ? (
        <StackCostView key={current.id} deployment={current} />
      ) : deployments.data ? (
        <section className="card card--quiet" aria-labelledby="no-stack">
          <h2 id="no-stack" className="card__title">
            No AWS deployment
          </h2>
          <p className="muted">
            {local ? 'You are on the local sandbox: its costs are the local rate above, zero until you set one. ' : ''}
            Install the platform in AWS (Setup) to see its bill from Cost Explorer, the forecast to the month&rsquo;s end and its AWS budget here.
          </p>
        </section>
      ) : null}
    </>
  );
}
