import {
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { DeleteVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDeployClients } from './deploy-clients.js';
import { deleteStack } from './delete-stack.js';
import { continueRollback, deleteAndWatch, diagnose, inspectStack } from './recovery.js';
import { FAST, missing, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);
const c = () => createDeployClients({ region: 'eu-west-1' });

beforeEach(() => {
  for (const m of [cfn, s3, ec2]) m.reset();
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
});

describe('diagnose', () => {
  it('offers delete and retry after a rolled-back install', () => {
    expect(diagnose('lab-prod', 'ROLLBACK_COMPLETE', [], 'Gpu: quota').actions).toEqual([{ kind: 'delete-and-retry' }]);
  });
  it('offers to continue a failed update rollback, skipping what failed', () => {
    const h = diagnose('lab-prod', 'UPDATE_ROLLBACK_FAILED', [
      { logicalId: 'Workers', status: 'UPDATE_FAILED' },
      { logicalId: 'Topic', status: 'UPDATE_COMPLETE' },
    ]);
    expect(h.actions).toEqual([{ kind: 'continue-rollback', resourcesToSkip: ['Workers'] }]);
  });
  it('offers to delete again, retaining what could not be deleted', () => {
    expect(diagnose('lab-prod', 'DELETE_FAILED', [{ logicalId: 'Results', status: 'DELETE_FAILED' }]).actions).toEqual([{ kind: 'delete-retaining', retain: ['Results'] }]);
  });
  it('says to wait while in progress and nothing for a healthy stack', () => {
    expect(diagnose('lab-prod', 'UPDATE_IN_PROGRESS', []).actions).toEqual([{ kind: 'wait' }]);
    expect(diagnose('lab-prod', 'UPDATE_COMPLETE', []).actions).toEqual([]);
  });
});

describe('recovery against the stack', () => {
  it('inspects a failed stack with its resources', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED', { StackStatusReason: 'Workers failed' })] });
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [{ LogicalResourceId: 'Workers', ResourceStatus: 'UPDATE_FAILED', ResourceType: 'AWS::AutoScaling::AutoScalingGroup', Timestamp: new Date() }] });
    const h = await inspectStack(c(), 'lab-prod');
    expect(h.actions).toEqual([{ kind: 'continue-rollback', resourcesToSkip: ['Workers'] }]);
    expect(h.message).toContain('Workers failed');
  });

  it('continues an update rollback with resources to skip and follows it', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED')] }).resolves({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_COMPLETE')] });
    cfn.on(ContinueUpdateRollbackCommand).resolves({});
    const result = await continueRollback(c(), 'lab-prod', ['Workers'], FAST);
    expect(cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input.ResourcesToSkip).toEqual(['Workers']);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('refuses to continue a rollback that is not stuck', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    await expect(continueRollback(c(), 'lab-prod', [], FAST)).rejects.toThrow(/not UPDATE_ROLLBACK_FAILED/);
  });

  it('deletes a DELETE_FAILED stack retaining the resources named', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'DELETE_FAILED')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'DELETE_FAILED')] }).resolves({ Stacks: [stack('lab-prod', 'DELETE_COMPLETE')] });
    cfn.on(DeleteStackCommand).resolves({});
    const result = await deleteAndWatch(c(), 'lab-prod', ['Results'], FAST);
    expect(cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.RetainResources).toEqual(['Results']);
    expect(result.ok).toBe(true);
  });

  it('deletes a rolled-back install without RetainResources (CloudFormation refuses them there)', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'ROLLBACK_COMPLETE')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'ROLLBACK_COMPLETE')] }).rejects(missing('lab-prod'));
    cfn.on(DeleteStackCommand).resolves({});
    expect((await deleteAndWatch(c(), 'lab-prod', ['X'], FAST)).status).toBe('DELETE_COMPLETE');
    expect(cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.RetainResources).toBeUndefined();
  });
});

describe('delete', () => {
  const resources = [
    { LogicalResourceId: 'Results', ResourceType: 'AWS::S3::Bucket', PhysicalResourceId: 'lab-prod-results', ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() },
    { LogicalResourceId: 'DataVolume', ResourceType: 'AWS::EC2::Volume', PhysicalResourceId: 'vol-1', ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() },
    { LogicalResourceId: 'Files', ResourceType: 'AWS::EFS::FileSystem', PhysicalResourceId: 'fs-1', ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() },
    { LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: 'arn:topic', ResourceStatus: 'CREATE_COMPLETE' as const, Timestamp: new Date() },
  ];
  beforeEach(() => {
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: resources });
    cfn.on(DeleteStackCommand).resolves({});
    cfn.on(UpdateTerminationProtectionCommand).resolves({});
  });
  const protectedStack = () =>
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE', { EnableTerminationProtection: true })] })
      .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] })
      .resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] })
      .rejects(missing('lab-prod'));

  it('refuses to lift termination protection without the typed stack name', async () => {
    protectedStack();
    await expect(deleteStack(c(), 'lab-prod', { deleteData: false, confirm: 'lab' }, FAST)).rejects.toThrow(/termination protection/);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('keeps the data by default and lists what was kept', async () => {
    protectedStack();
    const result = await deleteStack(c(), 'lab-prod', { deleteData: false, confirm: 'lab-prod' }, FAST);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input.EnableTerminationProtection).toBe(false);
    expect(result).toMatchObject({ status: 'DELETE_COMPLETE', ok: true, deleted: [] });
    expect(result.kept.map((r) => r.logicalId)).toEqual(['Results', 'DataVolume', 'Files']);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });

  it('removes buckets (every version) and the volume when the admin opts in, leaving EFS', async () => {
    protectedStack();
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: [{ Key: 'a', VersionId: '1' }], DeleteMarkers: [{ Key: 'b', VersionId: '2' }] })
      .resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    s3.on(DeleteBucketCommand).resolves({});
    ec2.on(DeleteVolumeCommand).resolves({});
    const result = await deleteStack(c(), 'lab-prod', { deleteData: true, confirm: 'lab-prod' }, FAST);
    expect(s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input.Delete!.Objects).toEqual([{ Key: 'a', VersionId: '1' }, { Key: 'b', VersionId: '2' }]);
    expect(result.deleted.map((r) => r.logicalId)).toEqual(['Results', 'DataVolume']);
    expect(result.kept.map((r) => r.logicalId)).toEqual(['Files']);
  });
});
