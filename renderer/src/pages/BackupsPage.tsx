import { useState } from 'react';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { useCall } from '../api/hooks.js';
import { DatabaseBackups } from '../backups/DatabaseBackups.js';
import { VaultBackups } from '../backups/VaultBackups.js';
import { PageHeader } from '../components/PageHeader.js';
import { DeploymentPicker } from '../cost/DeploymentPicker.js';
import '../cost/cost.css';

export function BackupsPage() {
  const deployments = useCall(listDeployments, undefined);
  const [chosen, setChosen] = useState<string>();
  const list = deployments.data?.deployments ?? [];
  const current = list.find((d) => d.id === chosen) ?? list[0];
  return (
    <>
      <PageHeader title="Backups" description="Copies of the platform's data, proof that they restore, and restoring from them." />
      <DatabaseBackups />
      <DeploymentPicker deployments={list} value={current} onChange={setChosen} />
      {current ? <VaultBackups key={current.id} deployment={current} /> : null}
    </>
  );
}
