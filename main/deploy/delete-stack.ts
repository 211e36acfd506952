import { DescribeStackResourcesCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { errorName, errorText } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import { type CleanupTiming, type DataCleanupClients, type DataResource, keptDataVolumes, removeDataResource } from './data-cleanup.js';
import { DeployError } from './deploy-error.js';
import { setTerminationProtection } from './guard-rails.js';
import { findStack } from './preflight-aws.js';
import { deleteAndWatch } from './recovery.js';
import { isStateful } from '../../common/stateful-resources.js';
import type { Timing } from './timing.js';
import type { WatchMessage } from './watch-stack.js';

export type { DataResource } from './data-cleanup.js';

export interface DeleteOptions {
  /** The stack name typed by the admin: required to lift termination protection. */
  confirm?: string;
  /** Opt-in: also delete the data resources the template retains (buckets, data volume, EFS, images, backups). */
  deleteData: boolean;
  /** For a DELETE_FAILED stack: the logical ids to leave behind. */
  retain?: string[];
  /** The clients that remove the data; needed with `deleteData`. */
  cleanup?: DataCleanupClients;
  cleanupTiming?: CleanupTiming;
  onMessage?: (m: WatchMessage) => void;
  /** Called once DeleteStack is accepted. */
  onStarted?: () => void;
}

export interface KeptResource extends DataResource {
  /** Why it is still in the account, in words. */
  why: string;
}

export interface DeleteResult {
  status: string;
  ok: boolean;
  reason?: string;
  /** Data resources left in the account, each with why. */
  kept: KeptResource[];
  /** Data resources removed because the admin opted in, with what went with them. */
  deleted: (DataResource & { detail?: string })[];
}

// Recovery points first: AWS Backup's own EBS snapshots can only go through the vault.
const ORDER = ['AWS::Backup::BackupVault', 'AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::EFS::FileSystem', 'AWS::EC2::Volume'];
const CLEANUP_TIMING: CleanupTiming = { pollMs: 10_000, attempts: 30 };

/**
 * Deletes the stack. Data is kept unless `deleteData`: the template retains the buckets, the data
 * volume, EFS, the image repository and the backup vault; opting in removes each afterwards with
 * what hangs off it (versions, snapshots, images, recovery points), or says why it was kept.
 */
export async function deleteStack(c: DeployClients, stackName: string, options: DeleteOptions, timing: Timing): Promise<DeleteResult> {
  const existing = await findStack(c, stackName);
  if (!existing) {
    options.onStarted?.();
    return { status: 'DELETE_COMPLETE', ok: true, kept: [], deleted: [] };
  }
  if (existing.stack.EnableTerminationProtection) {
    if (options.confirm !== stackName) {
      throw new DeployError(`Stack ${stackName} has termination protection on.`, `Type the stack name "${stackName}" to confirm that it should be turned off and the stack deleted (CLI: --yes).`);
    }
    await setTerminationProtection(c, stackName, false);
  }
  const resources = (await c.cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  const data: DataResource[] = resources
    .filter((r) => isStateful(r.ResourceType) && r.PhysicalResourceId)
    .map((r) => ({ logicalId: r.LogicalResourceId!, resourceType: r.ResourceType!, physicalId: r.PhysicalResourceId! }));
  const kept = options.cleanup ? await keptDataVolumes(options.cleanup, stackName, data.map((r) => r.physicalId), existing.stack.StackId) : { volumes: [] };
  data.push(...kept.volumes);

  const watched = await deleteAndWatch(c, stackName, options.retain ?? [], timing, options.onMessage, options.onStarted);
  const result: DeleteResult = { status: watched.status, ok: watched.ok, ...(watched.reason ? { reason: watched.reason } : {}), kept: [], deleted: [] };
  if (watched.ok) await removeSecretsKey(c, existing.stack, stackName, result);
  const unsearched = kept.error ? [{ logicalId: 'DataVolume kept by a restore', resourceType: 'AWS::EC2::Volume', physicalId: 'not looked up', why: `could not look for volumes kept by earlier restores (${kept.error}); find them in the EC2 console by the tag benchtop:stack=${stackName}` }] : [];
  if (!watched.ok) {
    result.kept = [...data.map((r) => ({ ...r, why: `the stack ended in ${watched.status}, so its data was not touched` })), ...unsearched];
    return result;
  }
  if (!options.deleteData || !options.cleanup) {
    result.kept.unshift(...data.map((r) => ({ ...r, why: 'data is kept unless you choose to delete it' })), ...unsearched);
    return result;
  }
  const ordered = [...data].sort((a, b) => ORDER.indexOf(a.resourceType) - ORDER.indexOf(b.resourceType));
  for (const r of ordered) {
    const outcome = await removeDataResource(options.cleanup, r, options.cleanupTiming ?? CLEANUP_TIMING);
    if (outcome.removed) result.deleted.push({ ...r, ...(outcome.detail ? { detail: outcome.detail } : {}) });
    else result.kept.push({ ...r, why: outcome.why });
  }
  result.kept.push(...unsearched);
  return result;
}

/**
 * The key that sealed the runs' secret parameters is an SSM parameter the services agent made, not
 * a stack resource, under the stack's KMS key, which goes with the stack: left behind it could never
 * be read again, and a new stack of the same name would find it and be refused by KMS.
 */
async function removeSecretsKey(c: DeployClients, stack: Stack, stackName: string, result: DeleteResult): Promise<void> {
  const prefix = stack.Outputs?.find((o) => o.OutputKey === 'TokenParameterPrefix')?.OutputValue ?? `/benchtop/${stackName}/`;
  const key: DataResource = { logicalId: 'SecretsKey (made by the services agent)', resourceType: 'AWS::SSM::Parameter', physicalId: `${prefix}secrets-key` };
  try {
    await c.ssm.send(new DeleteParameterCommand({ Name: key.physicalId }));
    result.deleted.push({ ...key, detail: 'the key of secret run parameters; its KMS key is deleted with the stack, so it could not be read again' });
  } catch (error) {
    if (errorName(error) === 'ParameterNotFound') return;
    result.kept.push({ ...key, why: `SSM refused to delete it (${errorText(error)}); delete it before a new stack of this name starts: aws ssm delete-parameter --name ${key.physicalId} --region ${c.target.region}${c.target.profile ? ` --profile ${c.target.profile}` : ''}` });
  }
}
