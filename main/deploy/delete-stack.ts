import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DeleteVolumeCommand } from '@aws-sdk/client-ec2';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { errorText } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { setTerminationProtection } from './guard-rails.js';
import { findStack } from './preflight-aws.js';
import { deleteAndWatch } from './recovery.js';
import { isStateful } from '../../common/stateful-resources.js';
import type { Timing } from './timing.js';
import type { WatchMessage } from './watch-stack.js';

export interface DeleteOptions {
  /** The stack name typed by the admin: required to lift termination protection. */
  confirm?: string;
  /** Opt-in: also delete the data resources the template retains (buckets, data volume). */
  deleteData: boolean;
  /** For a DELETE_FAILED stack: the logical ids to leave behind. */
  retain?: string[];
  onMessage?: (m: WatchMessage) => void;
  /** Called once DeleteStack is accepted. */
  onStarted?: () => void;
}

export interface DataResource {
  logicalId: string;
  resourceType: string;
  physicalId: string;
}

export interface DeleteResult {
  status: string;
  ok: boolean;
  reason?: string;
  /** Data resources left in the account (retained by the template, or not deletable by us). */
  kept: DataResource[];
  /** Data resources removed because the admin opted in. */
  deleted: DataResource[];
}

async function emptyAndDeleteBucket(c: DeployClients, bucket: string): Promise<void> {
  // A versioned bucket keeps every version and delete marker; all must go before DeleteBucket.
  for (let page = 0; page < 10_000; page++) {
    const out = await c.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    if (objects.length === 0) break;
    await c.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
  }
  await c.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/**
 * Deletes the stack. Data is kept unless `deleteData`: the template retains the buckets, the data
 * volume, EFS, the image repository and the backup vault; opting in removes the buckets and volume afterwards.
 * EFS file systems and the backup vault (with its recovery points) are always left for the admin.
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

  const watched = await deleteAndWatch(c, stackName, options.retain ?? [], timing, options.onMessage, options.onStarted);
  const result: DeleteResult = { status: watched.status, ok: watched.ok, ...(watched.reason ? { reason: watched.reason } : {}), kept: [], deleted: [] };
  if (!watched.ok || !options.deleteData) {
    result.kept = data;
    return result;
  }
  for (const r of data) {
    try {
      if (r.resourceType === 'AWS::S3::Bucket') await emptyAndDeleteBucket(c, r.physicalId);
      else if (r.resourceType === 'AWS::EC2::Volume') await c.ec2.send(new DeleteVolumeCommand({ VolumeId: r.physicalId }));
      else {
        result.kept.push(r);
        continue;
      }
      result.deleted.push(r);
    } catch (e) {
      const name = (e as { name?: string }).name;
      // Already gone (the template did not retain it): nothing is left behind.
      if (name === 'NoSuchBucket' || name === 'InvalidVolume.NotFound') result.deleted.push(r);
      else {
        result.kept.push(r);
        result.reason = `${r.logicalId} (${r.physicalId}) could not be deleted: ${errorText(e)}`;
      }
    }
  }
  return result;
}
