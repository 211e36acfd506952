import { BackupClient, DeleteBackupVaultCommand, DeleteRecoveryPointCommand, ListRecoveryPointsByBackupVaultCommand } from '@aws-sdk/client-backup';
import { DeleteSnapshotCommand, DeleteVolumeCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DeleteFileSystemCommand, DeleteMountTargetCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';
import { errorName, errorText } from '../../lib/aws/error-meaning.js';
import { sleep } from '../../lib/retry.js';

/** The clients that remove what the stack keeps on delete (its data resources). */
export interface DataCleanupClients {
  s3: S3Client;
  ec2: EC2Client;
  efs: EFSClient;
  ecr: ECRClient;
  backup: BackupClient;
}

export function createDataCleanupClients(target: AwsTarget): DataCleanupClients {
  return {
    s3: createAwsClient(S3Client, target),
    ec2: createAwsClient(EC2Client, target),
    efs: createAwsClient(EFSClient, target),
    ecr: createAwsClient(ECRClient, target),
    backup: createAwsClient(BackupClient, target),
  };
}

export interface DataResource {
  logicalId: string;
  resourceType: string;
  physicalId: string;
}

/** What became of one data resource: removed (with what went with it), or kept and why. */
export type CleanupOutcome = { removed: true; detail?: string } | { removed: false; why: string };

/** How long to wait for EFS mount targets and recovery points that are still being deleted. */
export interface CleanupTiming {
  pollMs: number;
  attempts: number;
}

const GONE = new Set(['NoSuchBucket', 'InvalidVolume.NotFound', 'FileSystemNotFound', 'RepositoryNotFoundException', 'ResourceNotFoundException']);

async function emptyAndDeleteBucket(c: DataCleanupClients, bucket: string): Promise<string> {
  // A versioned bucket keeps every version and delete marker; all must go before DeleteBucket.
  let removed = 0;
  for (let page = 0; page < 10_000; page++) {
    const out = await c.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects = [...(out?.Versions ?? []), ...(out?.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    if (objects.length === 0) break;
    const answer = await c.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    // DeleteObjects answers 200 with per-object Errors (an Object Lock retention, a denied key): listing again would find them forever.
    const failed = answer?.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(`S3 refused to delete ${failed.length} object version${failed.length === 1 ? '' : 's'} after ${removed + objects.length - failed.length} were deleted, e.g. ${first.Key ?? '?'} (${first.Code ?? 'error'}: ${first.Message ?? 'no reason given'}); the bucket ${bucket} is kept`);
    }
    removed += objects.length;
  }
  await c.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  return `${removed} object versions`;
}

/** The volume, then the snapshots EC2 holds of it (those AWS Backup made go with the vault's recovery points). */
async function deleteVolumeAndSnapshots(c: DataCleanupClients, volumeId: string): Promise<CleanupOutcome> {
  await c.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })).catch((e: unknown) => {
    if (!GONE.has(errorName(e))) throw e;
  });
  const snapshots = (await c.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [volumeId] }] })))?.Snapshots ?? [];
  const kept: string[] = [];
  let deleted = 0;
  for (const s of snapshots) {
    if (!s.SnapshotId) continue;
    try {
      await c.ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.SnapshotId }));
      deleted++;
    } catch (e) {
      kept.push(`${s.SnapshotId} (${errorText(e)})`);
    }
  }
  if (kept.length) return { removed: false, why: `the volume is deleted, but not its snapshots ${kept.join(', ')}: delete them in the EC2 console once what holds them is gone` };
  return { removed: true, detail: `${deleted} snapshot${deleted === 1 ? '' : 's'}` };
}

async function deleteFileSystem(c: DataCleanupClients, fileSystemId: string, timing: CleanupTiming): Promise<CleanupOutcome> {
  // DeleteFileSystem refuses a file system that still has mount targets (the stack's own usually
  // went with it), and their deletion takes a while to finish.
  for (let attempt = 0; ; attempt++) {
    const targets = (await c.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystemId })))?.MountTargets ?? [];
    if (targets.length === 0) break;
    if (attempt >= timing.attempts) return { removed: false, why: `its mount targets ${targets.map((t) => t.MountTargetId).join(', ')} were still being deleted; delete ${fileSystemId} again in a few minutes` };
    for (const t of targets) if (t.LifeCycleState !== 'deleting' && t.MountTargetId) await c.efs.send(new DeleteMountTargetCommand({ MountTargetId: t.MountTargetId }));
    await sleep(timing.pollMs);
  }
  await c.efs.send(new DeleteFileSystemCommand({ FileSystemId: fileSystemId }));
  return { removed: true };
}

async function deleteVault(c: DataCleanupClients, vault: string, timing: CleanupTiming): Promise<CleanupOutcome> {
  let deleted = 0;
  const refused = new Map<string, string>();
  for (let attempt = 0; ; attempt++) {
    const points: { arn: string; status?: string }[] = [];
    let token: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const out = await c.backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: vault, NextToken: token }));
      for (const p of out?.RecoveryPoints ?? []) if (p.RecoveryPointArn) points.push({ arn: p.RecoveryPointArn, ...(p.Status ? { status: p.Status } : {}) });
      token = out?.NextToken;
      if (!token) break;
    }
    const left = points.filter((p) => !refused.has(p.arn));
    if (left.length === 0) break;
    if (attempt >= timing.attempts) return { removed: false, why: `${deleted} recovery points deleted, ${left.length} still being deleted; delete the vault ${vault} again in a few minutes` };
    for (const p of left) {
      if (p.status === 'DELETING') continue;
      try {
        await c.backup.send(new DeleteRecoveryPointCommand({ BackupVaultName: vault, RecoveryPointArn: p.arn }));
        deleted++;
      } catch (e) {
        // A vault lock in compliance mode, or a recovery point still being made.
        refused.set(p.arn, errorText(e));
      }
    }
    await sleep(timing.pollMs);
  }
  if (refused.size) return { removed: false, why: `AWS Backup refused to delete ${refused.size} recovery point${refused.size === 1 ? '' : 's'}: ${[...refused].map(([arn, why]) => `${arn} (${why})`).join('; ')}` };
  await c.backup.send(new DeleteBackupVaultCommand({ BackupVaultName: vault }));
  return { removed: true, detail: `${deleted} recovery point${deleted === 1 ? '' : 's'}` };
}

/** The EC2 filters that find a stack's data volumes by the tags the template gives them, attached or kept. */
export function stackDataVolumeFilters(stackName: string): Array<{ Name: string; Values: string[] }> {
  return [
    { Name: 'tag:benchtop:stack', Values: [stackName] },
    { Name: 'tag:benchtop:role', Values: ['data'] },
  ];
}

/**
 * The CloudFormation stack id of another stack that made the volume, or null when it is this stack's
 * (or untagged, as one made outside CloudFormation is): a stack deleted with its data kept leaves
 * volumes tagged with the same stack name as a later stack of that name.
 */
export function otherStackOf(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined, stackId: string | undefined): string | null {
  const madeBy = tags?.find((t) => t.Key === 'aws:cloudformation:stack-id')?.Value;
  return stackId && madeBy && madeBy !== stackId ? madeBy : null;
}

/**
 * The stack's data volumes that are no longer its resources: a restore (UpdateReplacePolicy Retain)
 * keeps the volume it replaces, detached and still tagged with the stack. They are the stack's data
 * too, so delete with data removes them (and their snapshots) like the current one. A volume an
 * earlier stack of the same name kept (its CloudFormation stack id tag is another) is not this
 * stack's: its deletion kept it on purpose.
 */
export async function keptDataVolumes(c: DataCleanupClients, stackName: string, current: readonly string[], stackId?: string): Promise<{ volumes: DataResource[]; error?: string }> {
  try {
    const volumes: DataResource[] = [];
    let NextToken: string | undefined;
    // Each restore keeps one volume; the bound only stops a misbehaving paginator.
    for (let page = 0; page < 20; page++) {
      const out = await c.ec2.send(
        new DescribeVolumesCommand({
          Filters: stackDataVolumeFilters(stackName),
          MaxResults: 100,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const v of out?.Volumes ?? []) {
        if (!v.VolumeId || current.includes(v.VolumeId)) continue;
        if (otherStackOf(v.Tags, stackId)) continue;
        const name = v.Tags?.find((t) => t.Key === 'Name')?.Value;
        volumes.push({ logicalId: `DataVolume kept by a restore${name ? ` (${name})` : ''}`, resourceType: 'AWS::EC2::Volume', physicalId: v.VolumeId });
      }
      NextToken = out?.NextToken;
      if (!NextToken) break;
    }
    return { volumes };
  } catch (e) {
    return { volumes: [], error: errorText(e) };
  }
}

/**
 * Removes one data resource the stack kept, with what hangs off it: a bucket's every version, the
 * volume's snapshots, the file system's mount targets, the vault's recovery points, the repository's
 * images. Something already gone counts as removed; anything AWS refuses is kept, with its reason.
 */
export async function removeDataResource(c: DataCleanupClients, r: DataResource, timing: CleanupTiming): Promise<CleanupOutcome> {
  try {
    switch (r.resourceType) {
      case 'AWS::S3::Bucket':
        return { removed: true, detail: await emptyAndDeleteBucket(c, r.physicalId) };
      case 'AWS::EC2::Volume':
        return await deleteVolumeAndSnapshots(c, r.physicalId);
      case 'AWS::EFS::FileSystem':
        return await deleteFileSystem(c, r.physicalId, timing);
      case 'AWS::ECR::Repository':
        // force: the images go with the repository.
        await c.ecr.send(new DeleteRepositoryCommand({ repositoryName: r.physicalId, force: true }));
        return { removed: true, detail: 'with its images' };
      case 'AWS::Backup::BackupVault':
        return await deleteVault(c, r.physicalId, timing);
      default:
        return { removed: false, why: `Benchtop does not know how to delete a ${r.resourceType}` };
    }
  } catch (e) {
    if (GONE.has(errorName(e))) return { removed: true, detail: 'it was already gone' };
    return { removed: false, why: errorText(e) };
  }
}
