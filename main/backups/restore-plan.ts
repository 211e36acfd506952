import type { ReplacedVolume } from '../../common/api/backups.contract.js';
import { ApiError } from '../../common/api/errors.js';
import { P } from '../../common/deploy/platform-parameters.js';
import type { DeployClients } from '../deploy/deploy-clients.js';
import { preparePlan } from '../deploy/deploy-flow.js';
import type { Plan } from '../deploy/plan.js';
import { findStack } from '../deploy/preflight-aws.js';
import type { DeploySource } from '../deploy/template-source.js';
import type { Timing } from '../deploy/timing.js';
import { physicalId, snapshotIdOf } from './aws-vault.js';
import { deleteVolumeCommand, keptVolumeName, keptVolumeText, monthlyVolumeCost, volumeSize } from './kept-volume.js';

/** The data volume in use now, and what it becomes once a restore replaces it. */
export async function replacedVolumeOf(c: DeployClients, stackName: string, now: number): Promise<ReplacedVolume | null> {
  const volumeId = await physicalId(c.cfn, stackName, 'DataVolume');
  if (!volumeId) return null;
  const facts = {
    volumeId,
    name: keptVolumeName(stackName, now),
    monthlyCostUsd: monthlyVolumeCost(c.target.region, await volumeSize(c.ec2, volumeId)),
    deleteCommand: deleteVolumeCommand(volumeId, c.target.region, c.target.profile),
  };
  return { ...facts, text: keptVolumeText(facts) };
}

/**
 * A restore is an ordinary stack update: the same parameters, with DataVolumeSnapshotId set to
 * the recovery point's snapshot. The data volume is then replaced by one made from it (the plan
 * shows that as a data risk, so apply needs the stack name typed), the services instance starts
 * again on it, and the volume it had is kept, detached (UpdateReplacePolicy Retain).
 */
export async function planVaultRestore(
  c: DeployClients,
  stackName: string,
  recoveryPointArn: string,
  source: DeploySource,
  timing: Timing,
  now: number,
): Promise<{ plan: Plan; snapshotId: string; replaced: ReplacedVolume | null }> {
  const snapshotId = snapshotIdOf(recoveryPointArn);
  if (!snapshotId) throw new ApiError('bad-input', `recoveryPointArn: ${recoveryPointArn} is not an EBS snapshot recovery point.`, 'Pick a recovery point of the data volume from the list.');
  const found = await findStack(c, stackName);
  if (!found) throw new ApiError('not-found', `There is no stack ${stackName} in ${c.target.region}.`, 'Pick the deployment to restore.');
  const current = Object.fromEntries((found.stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
  if (current[P.dataVolumeSnapshotId] === snapshotId) {
    throw new ApiError('conflict', `The data volume already starts from ${snapshotId}.`, 'Pick another recovery point.');
  }
  const replaced = await replacedVolumeOf(c, stackName, now);
  const { plan } = await preparePlan(c, stackName, { ...current, [P.dataVolumeSnapshotId]: snapshotId }, source, timing);
  return { plan, snapshotId, replaced };
}
