import { BackupClient, DeleteBackupVaultCommand, DeleteRecoveryPointCommand, ListRecoveryPointsByBackupVaultCommand } from '@aws-sdk/client-backup';
import { CloudFormationClient, DeleteStackCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { DeleteSnapshotCommand, DeleteVolumeCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DeleteFileSystemCommand, DeleteMountTargetCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDataCleanupClients } from './data-cleanup.js';
import { createDeployClients } from './deploy-clients.js';
import { deleteStack } from './delete-stack.js';
import { FAST, missing, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);
const efs = mockClient(EFSClient);
const ecr = mockClient(ECRClient);
const backup = mockClient(BackupClient);
const ssm = mockClient(SSMClient);
const target = { region: 'eu-west-1' };
const c = () => createDeployClients(target);
const cleanup = () => createDataCleanupClients(target);
const QUICK = { pollMs: 0, attempts: 3 };

const resource = (LogicalResourceId: string, ResourceType: string, PhysicalResourceId: string) => ({ LogicalResourceId, ResourceType, PhysicalResourceId, ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() });
const resources = [
  resource('ResultsBucket', 'AWS::S3::Bucket', 'lab-prod-results'),
  resource('DataVolume', 'AWS::EC2::Volume', 'vol-1'),
  resource('FileSystem', 'AWS::EFS::FileSystem', 'fs-1'),
  resource('ImageRepository', 'AWS::ECR::Repository', 'lab-prod-images'),
  resource('BackupVault', 'AWS::Backup::BackupVault', 'benchtop-lab-prod'),
  resource('Topic', 'AWS::SNS::Topic', 'arn:topic'),
];

beforeEach(() => {
  for (const m of [cfn, s3, ec2, efs, ecr, backup, ssm]) m.reset();
  ssm.on(DeleteParameterCommand).rejects(new ParameterNotFound({ message: 'Parameter /benchtop/lab-prod/secrets-key not found.', $metadata: {} }));
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: resources });
  cfn.on(DeleteStackCommand).resolves({});
  cfn.on(UpdateTerminationProtectionCommand).resolves({});
  cfn
    .on(DescribeStacksCommand)
    .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE', { EnableTerminationProtection: true })] })
    .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] })
    .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] })
    .rejects(missing('lab-prod'));
});

/** Every data resource answers as AWS does when it can be removed. */
function removable(): void {
  s3.on(ListObjectVersionsCommand).resolvesOnce({ Versions: [{ Key: 'a', VersionId: '1' }], DeleteMarkers: [{ Key: 'b', VersionId: '2' }] }).resolves({});
  s3.on(DeleteObjectsCommand).resolves({});
  s3.on(DeleteBucketCommand).resolves({});
  ec2.on(DeleteVolumeCommand).resolves({});
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-replaced' }] });
  ec2.on(DeleteSnapshotCommand).resolves({});
  // The stack's mount targets are still going away when the file system is reached.
  efs.on(DescribeMountTargetsCommand).resolvesOnce({ MountTargets: [{ MountTargetId: 'fsmt-1', FileSystemId: 'fs-1', SubnetId: 's', LifeCycleState: 'deleting' }] }).resolves({ MountTargets: [] });
  efs.on(DeleteFileSystemCommand).resolves({});
  ecr.on(DeleteRepositoryCommand).resolves({});
  backup
    .on(ListRecoveryPointsByBackupVaultCommand)
    .resolvesOnce({ RecoveryPoints: [{ RecoveryPointArn: 'arn:rp-1', Status: 'COMPLETED' }], NextToken: 'n' })
    .resolvesOnce({ RecoveryPoints: [{ RecoveryPointArn: 'arn:rp-2', Status: 'COMPLETED' }] })
    .resolves({ RecoveryPoints: [] });
  backup.on(DeleteRecoveryPointCommand).resolves({});
  backup.on(DeleteBackupVaultCommand).resolves({});
}

describe('delete', () => {
  it('refuses to lift termination protection without the typed stack name', async () => {
    await expect(deleteStack(c(), 'lab-prod', { deleteData: false, confirm: 'lab' }, FAST)).rejects.toThrow(/termination protection/);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('keeps the data by default and lists what was kept, and why', async () => {
    removable();
    const result = await deleteStack(c(), 'lab-prod', { deleteData: false, confirm: 'lab-prod', cleanup: cleanup() }, FAST);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input.EnableTerminationProtection).toBe(false);
    expect(result).toMatchObject({ status: 'DELETE_COMPLETE', ok: true, deleted: [] });
    expect(result.kept.map((r) => r.logicalId)).toEqual(['ResultsBucket', 'DataVolume', 'FileSystem', 'ImageRepository', 'BackupVault']);
    expect(result.kept[0]!.why).toBe('data is kept unless you choose to delete it');
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  it('with the data: every bucket version, the volume and its snapshot, EFS after its mount targets, the images, the recovery points and the vault', async () => {
    removable();
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(result.kept).toEqual([]);
    expect(result.deleted.map((r) => r.logicalId)).toEqual(['BackupVault', 'ResultsBucket', 'ImageRepository', 'FileSystem', 'DataVolume']);
    expect(result.deleted.find((r) => r.logicalId === 'BackupVault')?.detail).toBe('2 recovery points');
    expect(s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input.Delete!.Objects).toEqual([{ Key: 'a', VersionId: '1' }, { Key: 'b', VersionId: '2' }]);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((call) => call.args[0].input.RecoveryPointArn)).toEqual(['arn:rp-1', 'arn:rp-2']);
    expect(ecr.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({ repositoryName: 'lab-prod-images', force: true });
    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0]!.args[0].input.Filters).toEqual([{ Name: 'volume-id', Values: ['vol-1'] }]);
    expect(ec2.commandCalls(DeleteSnapshotCommand)[0]!.args[0].input.SnapshotId).toBe('snap-replaced');
    // A mount target already being deleted is not deleted twice; the file system waits for it.
    expect(efs.commandCalls(DeleteMountTargetCommand)).toHaveLength(0);
    expect(efs.commandCalls(DescribeMountTargetsCommand)).toHaveLength(2);
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(1);
  });

  it('with the data: also the volumes earlier restores kept, found by the stack\'s tags', async () => {
    removable();
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { VolumeId: 'vol-1', Tags: [{ Key: 'benchtop:stack', Value: 'lab-prod' }] },
        { VolumeId: 'vol-old', Tags: [{ Key: 'Name', Value: 'benchtop-lab-prod-data-before-restore-2026-11-30' }] },
      ],
    });
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(ec2.commandCalls(DescribeVolumesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'tag:benchtop:stack', Values: ['lab-prod'] },
      { Name: 'tag:benchtop:role', Values: ['data'] },
    ]);
    expect(ec2.commandCalls(DeleteVolumeCommand).map((call) => call.args[0].input.VolumeId)).toEqual(['vol-1', 'vol-old']);
    expect(result.deleted.map((r) => r.logicalId)).toContain('DataVolume kept by a restore (benchtop-lab-prod-data-before-restore-2026-11-30)');
    expect(result.kept).toEqual([]);
  });

  it('with the data: leaves the volume an earlier stack of the same name kept when it was deleted', async () => {
    removable();
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { VolumeId: 'vol-restored-away', Tags: [{ Key: 'aws:cloudformation:stack-id', Value: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab-prod/1' }] },
        { VolumeId: 'vol-earlier-lab', Tags: [{ Key: 'aws:cloudformation:stack-id', Value: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab-prod/0' }] },
      ],
    });
    await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(ec2.commandCalls(DeleteVolumeCommand).map((call) => call.args[0].input.VolumeId)).toEqual(['vol-1', 'vol-restored-away']);
  });

  it('says so when it could not look for volumes kept by restores', async () => {
    removable();
    ec2.on(DescribeVolumesCommand).rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(result.deleted.map((r) => r.logicalId)).toContain('DataVolume');
    expect(result.kept).toEqual([expect.objectContaining({ logicalId: 'DataVolume kept by a restore', why: expect.stringContaining('benchtop:stack=lab-prod') })]);
  });

  it('lists what AWS refused to remove with its reason, and counts what was already gone as removed', async () => {
    removable();
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'arn:rp-locked', Status: 'COMPLETED' }] });
    backup.on(DeleteRecoveryPointCommand).rejects(Object.assign(new Error('Recovery point is protected by a vault lock'), { name: 'InvalidRequestException' }));
    ecr.on(DeleteRepositoryCommand).rejects(Object.assign(new Error('The repository does not exist'), { name: 'RepositoryNotFoundException' }));
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [{ MountTargetId: 'fsmt-9', FileSystemId: 'fs-1', SubnetId: 's', LifeCycleState: 'available' }] });
    efs.on(DeleteMountTargetCommand).resolves({});
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(result.kept.map((r) => [r.logicalId, r.why])).toEqual([
      ['BackupVault', 'AWS Backup refused to delete 1 recovery point: arn:rp-locked (Recovery point is protected by a vault lock)'],
      ['FileSystem', 'its mount targets fsmt-9 were still being deleted; delete fs-1 again in a few minutes'],
    ]);
    expect(result.deleted.map((r) => r.logicalId)).toEqual(['ResultsBucket', 'ImageRepository', 'DataVolume']);
    expect(backup.commandCalls(DeleteBackupVaultCommand)).toHaveLength(0);
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
  });

  it('keeps a bucket whose versions S3 refuses to delete, saying why, without listing it again and again', async () => {
    removable();
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'locked.csv', VersionId: '1' }] });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'locked.csv', VersionId: '1', Code: 'AccessDenied', Message: 'Access Denied because object protected by object lock.' }] });
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(result.kept.find((r) => r.logicalId === 'ResultsBucket')?.why).toMatch(/refused to delete 1 object version .*locked\.csv \(AccessDenied/);
    expect(s3.commandCalls(ListObjectVersionsCommand)).toHaveLength(1);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });

  it('removes the secrets key the services agent made once the stack is gone, with its data kept', async () => {
    removable();
    ssm.on(DeleteParameterCommand).resolves({});
    const result = await deleteStack(c(), 'lab-prod', { deleteData: false, confirm: 'lab-prod', cleanup: cleanup() }, FAST);
    expect(ssm.commandCalls(DeleteParameterCommand).map((call) => call.args[0].input.Name)).toEqual(['/benchtop/lab-prod/secrets-key']);
    expect(result.deleted).toEqual([expect.objectContaining({ resourceType: 'AWS::SSM::Parameter', physicalId: '/benchtop/lab-prod/secrets-key' })]);
    expect(result.kept.map((r) => r.logicalId)).toEqual(['ResultsBucket', 'DataVolume', 'FileSystem', 'ImageRepository', 'BackupVault']);
  });

  it('says how to remove the secrets key when SSM refuses to', async () => {
    removable();
    ssm.on(DeleteParameterCommand).rejects(Object.assign(new Error('User is not authorized to perform: ssm:DeleteParameter'), { name: 'AccessDeniedException' }));
    const refused = await deleteStack(createDeployClients({ region: 'eu-west-1', profile: 'lab-admin' }), 'lab-prod', { deleteData: false, confirm: 'lab-prod', cleanup: cleanup() }, FAST);
    expect(refused).toMatchObject({ ok: true });
    expect(refused.kept.at(-1)).toMatchObject({ physicalId: '/benchtop/lab-prod/secrets-key' });
    expect(refused.kept.at(-1)!.why).toContain('aws ssm delete-parameter --name /benchtop/lab-prod/secrets-key --region eu-west-1 --profile lab-admin');
  });

  it('touches no data when the stack itself failed to delete', async () => {
    removable();
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] }).resolves({ Stacks: [stack('lab-prod', 'DELETE_FAILED')] });
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod', cleanup: cleanup(), cleanupTiming: QUICK }, FAST);
    expect(result.ok).toBe(false);
    expect(result.kept.every((r) => r.why === 'the stack ended in DELETE_FAILED, so its data was not touched')).toBe(true);
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });
});
