import { ApiError } from '../../common/api/errors.js';
import { P } from '../../common/deploy/platform-parameters.js';
import type { DeployClients } from '../deploy/deploy-clients.js';
import { preparePlan } from '../deploy/deploy-flow.js';
import type { Plan } from '../deploy/plan.js';
import { findStack } from '../deploy/preflight-aws.js';
import type { DeploySource } from '../deploy/template-source.js';
import type { Timing } from '../deploy/timing.js';
import { snapshotIdOf } from './aws-vault.js';

/**
 * A restore is an ordinary stack update: the same parameters, with DataVolumeSnapshotId set to
 * the recovery point's snapshot. The data volume is then replaced by one made from it (the plan
 * shows that as a data risk, so apply needs the stack name typed), the services instance starts
 * again on it, and the volume it had is snapshotted before it is deleted (UpdateReplacePolicy).
 */
export async function planVaultRestore(c: DeployClients, stackName: string, recoveryPointArn: string, source: DeploySource, timing: Timing): Promise<{ plan: Plan; snapshotId: string }> {
  const snapshotId = snapshotIdOf(recoveryPointArn);
  if (!snapshotId) throw new ApiError('bad-input', `recoveryPointArn: ${recoveryPointArn} is not an EBS snapshot recovery point.`, 'Pick a recovery point of the data volume from the list.');
  const found = await findStack(c, stackName);
  if (!found) throw new ApiError('not-found', `There is no stack ${stackName} in ${c.target.region}.`, 'Pick the deployment to restore.');
  const current = Object.fromEntries((found.stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
  if (current[P.dataVolumeSnapshotId] === snapshotId) {
    throw new ApiError('conflict', `The data volume already starts from ${snapshotId}.`, 'Pick another recovery point.');
  }
  const { plan } = await preparePlan(c, stackName, { ...current, [P.dataVolumeSnapshotId]: snapshotId }, source, timing);
  return { plan, snapshotId };
}
