import {
  BackupClient,
  DescribeBackupJobCommand,
  GetBackupPlanCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { CreateTagsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as api from '../../common/api/backups.contract.js';
import { applyPlan } from '../../common/api/deploy.contract.js';
import { ApiError } from '../../common/api/errors.js';
import { Router } from '../../common/api/router.js';
import { createDeployClients } from '../deploy/deploy-clients.js';
import type { DeploySource } from '../deploy/template-source.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { nextDailyRun, snapshotIdOf } from './aws-vault.js';
import { listKeptVolumes } from './kept-volume.js';
import { registerBackups } from './register-backups.js';
import { replacedVolumeOf } from './restore-plan.js';

const backup = mockClient(BackupClient);
const cfn = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const ctx = { transport: 'test' as const };
const target = { region: 'eu-west-1' };
const NOW = Date.UTC(2026, 11, 1, 11, 0);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
const POINT = 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0';

function router(platforms: Partial<PlatformRegistry> = {}) {
  const r = new Router();
  registerBackups(r, {
    platforms: platforms as PlatformRegistry,
    backupClient: () => new BackupClient({ region: 'eu-west-1' }),
    deployClients: (t) => createDeployClients(t),
    source: () => ({}) as DeploySource,
    timing: { pollMs: 0, timeoutMs: 10_000 },
    now: () => NOW,
  });
  return r;
}

beforeEach(() => {
  backup.reset();
  cfn.reset();
  ec2.reset();
  ec2.on(DescribeVolumesCommand, { VolumeIds: ['vol-0aa'] }).resolves({ Volumes: [{ VolumeId: 'vol-0aa', Size: 100 }] });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Parameters: [{ ParameterKey: 'DataVolumeSnapshotId', ParameterValue: 'snap-0123456789abcdef0' }] }] });
  cfn.on(DescribeStackResourceCommand, { LogicalResourceId: 'DataVolume' }).resolves({ StackResourceDetail: { LogicalResourceId: 'DataVolume', PhysicalResourceId: 'vol-0aa', ResourceType: 'AWS::EC2::Volume', ResourceStatus: 'UPDATE_COMPLETE', LastUpdatedTimestamp: new Date() } });
  cfn.on(DescribeStackResourceCommand, { LogicalResourceId: 'BackupRole' }).resolves({ StackResourceDetail: { LogicalResourceId: 'BackupRole', PhysicalResourceId: 'lab-BackupRole-XYZ', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() } });
});

describe('backups:vault-overview (AWS Backup)', () => {
  it('lists recovery points newest first with their snapshots, the last jobs and the next scheduled run', async () => {
    backup.on(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: 'benchtop-0f1e2d3c-aaaa-bbbb-cccc-123456789abc' }).resolves({
      RecoveryPoints: [
        { RecoveryPointArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-00000000000000001', CreationDate: new Date('2026-11-29T05:10:00Z'), Status: 'COMPLETED', BackupSizeInBytes: 100 * 2 ** 30, ResourceType: 'EBS' },
        { RecoveryPointArn: POINT, CreationDate: new Date('2026-11-30T05:12:00Z'), Status: 'COMPLETED', BackupSizeInBytes: 100 * 2 ** 30, ResourceType: 'EBS', CalculatedLifecycle: { DeleteAt: new Date('2026-12-14T05:12:00Z') } },
      ],
    });
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [{ BackupJobId: 'job-1', State: 'COMPLETED', ResourceType: 'EBS', CreationDate: new Date('2026-11-30T05:00:00Z'), PercentDone: '100.0' }] });
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanName: 'other', BackupPlanId: 'p0' }, { BackupPlanName: 'benchtop-lab', BackupPlanId: 'p1' }] });
    backup.on(GetBackupPlanCommand, { BackupPlanId: 'p1' }).resolves({ BackupPlan: { BackupPlanName: 'benchtop-lab', Rules: [{ RuleName: 'daily-data-volume', TargetBackupVaultName: 'v', ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 14 } }] } });
    const out = await router().invoke(api.getVaultOverview.name, { target, stackName: 'lab' }, ctx);
    expect(out).toMatchObject({
      ok: true,
      value: {
        vaultName: 'benchtop-0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
        volumeArn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0aa',
        plan: { name: 'benchtop-lab', schedule: 'cron(0 5 * * ? *)', nextRunAt: '2026-12-02T05:00:00.000Z', retentionDays: 14 },
        recoveryPoints: [{ arn: POINT, snapshotId: 'snap-0123456789abcdef0', deleteAt: '2026-12-14T05:12:00.000Z' }, { snapshotId: 'snap-00000000000000001' }],
        jobs: [{ id: 'job-1', state: 'COMPLETED', percentDone: 100 }],
      },
    });
  });

  it('starts an on-demand backup of the data volume with the stack’s backup role, and follows its progress', async () => {
    backup.on(StartBackupJobCommand).resolves({ BackupJobId: 'job-2' });
    backup.on(DescribeBackupJobCommand, { BackupJobId: 'job-2' }).resolvesOnce({ BackupJobId: 'job-2', State: 'CREATED' }).resolves({ BackupJobId: 'job-2', State: 'RUNNING', PercentDone: '42.0' });
    expect(await router().invoke(api.startVaultBackup.name, { target, stackName: 'lab' }, ctx)).toMatchObject({ ok: true, value: { id: 'job-2', state: 'CREATED' } });
    expect(backup.commandCalls(StartBackupJobCommand)[0]!.args[0].input).toMatchObject({
      BackupVaultName: 'benchtop-0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
      ResourceArn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0aa',
      IamRoleArn: 'arn:aws:iam::123456789012:role/lab-BackupRole-XYZ',
    });
    expect(await router().invoke(api.getVaultJob.name, { target, jobId: 'job-2' }, ctx)).toMatchObject({ ok: true, value: { state: 'RUNNING', percentDone: 42 } });
  });
});

describe('backups:plan-vault-restore', () => {
  it('refuses a recovery point that is not an EBS snapshot, and the snapshot the volume already starts from', async () => {
    expect(await router().invoke(api.planVaultRestore.name, { target, stackName: 'lab', recoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:abc' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'bad-input', message: expect.stringMatching(/not an EBS snapshot/) },
    });
    expect(await router().invoke(api.planVaultRestore.name, { target, stackName: 'lab', recoveryPointArn: POINT }, ctx)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('reads snapshot ids and daily schedules', () => {
    expect(snapshotIdOf(POINT)).toBe('snap-0123456789abcdef0');
    expect(snapshotIdOf('arn:aws:ec2:eu-west-1::image/ami-1')).toBeNull();
    expect(nextDailyRun('cron(0 5 * * ? *)', Date.UTC(2026, 11, 1, 4, 59))).toBe('2026-12-01T05:00:00.000Z');
    expect(nextDailyRun('rate(12 hours)', NOW)).toBeNull();
  });
});

describe('the platform database backups', () => {
  it('asks for the backup name typed before a restore', async () => {
    let restored = '';
    const platforms = { withActiveAdmin: async (work: (c: never) => Promise<unknown>) => work({ restoreBackup: async (name: string) => ((restored = name), { restored: name }) } as never) };
    const name = 'benchtop-2026-12-01T10-00-00-000Z-manual.sqlite';
    expect(await router(platforms as never).invoke(api.restoreDatabaseBackup.name, { name, confirm: 'yes' }, ctx)).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/type the backup's name/) } });
    expect(restored).toBe('');
    await router(platforms as never).invoke(api.restoreDatabaseBackup.name, { name, confirm: name }, ctx);
    expect(restored).toBe(name);
  });
});

describe('a restore keeps the volume it replaces', () => {
  const emptyVault = () => {
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [] });
  };
  const dataVolume = (id: string) => ({ StackResourceDetail: { LogicalResourceId: 'DataVolume', PhysicalResourceId: id, ResourceType: 'AWS::EC2::Volume', ResourceStatus: 'UPDATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() } });
  const stack = (status: StackStatus, updated = '2026-12-01T10:00:00Z') => ({ Stacks: [{ StackName: 'lab', StackId: STACK_ID, StackStatus: status, CreationTime: new Date(), LastUpdatedTime: new Date(updated) }] });
  const LATER = '2026-12-01T11:05:00Z';

  /** A router whose deploy:apply stands in for the deploy engine's (tested in main/deploy), recording what it was asked. */
  function withApply(answer: () => unknown = () => ({ started: true, stackName: 'lab' })) {
    const r = router();
    const asked: unknown[] = [];
    r.handle(applyPlan, (input) => (asked.push(input), answer() as never));
    return { r, asked };
  }

  async function settled(r: Router) {
    for (let i = 0; i < 200; i++) {
      const out = await r.invoke(api.getVaultOverview.name, { target, stackName: 'lab' }, ctx);
      if (out.ok && (out.value as api.VaultOverview).restore?.state !== 'applying') return out.value as api.VaultOverview;
      await new Promise((done) => setTimeout(done, 10));
    }
    throw new Error('the restore never settled');
  }

  it('names the current volume, its new name, what it costs and how to delete it', async () => {
    const replaced = await replacedVolumeOf(createDeployClients(target), 'lab', NOW);
    expect(replaced).toEqual({
      volumeId: 'vol-0aa',
      name: 'benchtop-lab-data-before-restore-2026-12-01',
      monthlyCostUsd: 8.8,
      deleteCommand: 'aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1',
      text: expect.stringContaining('vol-0aa is kept, not deleted'),
    });
    expect(replaced!.text).toMatch(/renamed benchtop-lab-data-before-restore-2026-12-01 and tagged benchtop:replaced-by-restore\. It still costs about \$8\.80 a month until you delete it.*aws ec2 delete-volume --volume-id vol-0aa/);
  });

  it('gives the delete command the profile the volume was reached by', async () => {
    const replaced = await replacedVolumeOf(createDeployClients({ ...target, profile: 'lab-admin' }), 'lab', NOW);
    expect(replaced?.deleteCommand).toBe('aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1 --profile lab-admin');
    ec2.on(DescribeVolumesCommand, { Filters: [{ Name: 'tag:benchtop:stack', Values: ['lab'] }, { Name: 'tag:benchtop:role', Values: ['data'] }] }).resolves({ Volumes: [{ VolumeId: 'vol-0cc', Size: 10, State: 'available' }] });
    const { kept } = await listKeptVolumes(new EC2Client({ region: 'eu-west-1' }), { name: 'lab', id: STACK_ID }, 'vol-0aa', 'eu-west-1', 'lab-admin');
    expect(kept.map((v) => v.deleteCommand)).toEqual(['aws ec2 delete-volume --volume-id vol-0cc --region eu-west-1 --profile lab-admin']);
  });

  it('lists only this stack’s kept volumes, and names apart those an earlier stack of the same name kept', async () => {
    emptyVault();
    const EARLIER = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/99999999-aaaa-bbbb-cccc-000000000000';
    const madeBy = (id: string) => [{ Key: 'aws:cloudformation:stack-id', Value: id }];
    ec2.on(DescribeVolumesCommand, { Filters: [{ Name: 'tag:benchtop:stack', Values: ['lab'] }, { Name: 'tag:benchtop:role', Values: ['data'] }] }).resolves({
      Volumes: [
        { VolumeId: 'vol-0aa', Size: 100, State: 'in-use', Tags: madeBy(STACK_ID) },
        { VolumeId: 'vol-0kept', Size: 100, State: 'available', Tags: [...madeBy(STACK_ID), { Key: 'benchtop:replaced-by-restore', Value: 'vol-0aa' }] },
        { VolumeId: 'vol-0old2', Size: 50, State: 'available', Tags: madeBy(EARLIER) },
        { VolumeId: 'vol-0old1', Size: 50, State: 'available', Tags: madeBy(EARLIER) },
      ],
    });
    const out = await router().invoke(api.getVaultOverview.name, { target, stackName: 'lab' }, ctx);
    if (!out.ok) throw new Error(out.error.message);
    const overview = out.value as api.VaultOverview;
    expect(overview.keptVolumes.map((v) => v.volumeId)).toEqual(['vol-0kept']);
    expect(overview.earlierStackVolumes).toEqual([
      { volumeId: 'vol-0old1', stackId: EARLIER },
      { volumeId: 'vol-0old2', stackId: EARLIER },
    ]);
  });

  it('applies through deploy:apply, then renames and tags the replaced volume once the stack is on the restored one', async () => {
    emptyVault();
    cfn.on(DescribeStackResourceCommand, { LogicalResourceId: 'DataVolume' }).resolvesOnce(dataVolume('vol-0aa')).resolves(dataVolume('vol-0bb'));
    // Read before the apply, then as the follower sees it: still the old status once, then the update's end.
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolvesOnce(stack('UPDATE_COMPLETE')).resolves(stack('UPDATE_COMPLETE', LATER));
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DescribeVolumesCommand, { Filters: [{ Name: 'tag:benchtop:stack', Values: ['lab'] }, { Name: 'tag:benchtop:role', Values: ['data'] }] }).resolves({
      Volumes: [
        { VolumeId: 'vol-0bb', Size: 100, State: 'in-use' },
        { VolumeId: 'vol-0aa', Size: 100, State: 'available', CreateTime: new Date('2026-01-01T00:00:00Z'), Tags: [{ Key: 'Name', Value: 'benchtop-lab-data-before-restore-2026-12-01' }, { Key: 'benchtop:replaced-by-restore', Value: 'vol-0bb' }] },
      ],
    });
    const { r, asked } = withApply();
    const out = await r.invoke(api.applyVaultRestore.name, { target, stackName: 'lab', changeSetName: 'benchtop-1', confirmDataLoss: 'lab' }, ctx);
    expect(out).toMatchObject({ ok: true, value: { started: true, restore: { state: 'applying', replaced: { volumeId: 'vol-0aa', name: 'benchtop-lab-data-before-restore-2026-12-01' } } } });
    expect(asked).toEqual([{ target, stackName: 'lab', changeSetName: 'benchtop-1', confirmDataLoss: 'lab' }]);
    const overview = await settled(r);
    expect(overview.restore).toMatchObject({ state: 'kept', newVolumeId: 'vol-0bb', message: expect.stringMatching(/runs on vol-0bb\. vol-0aa is kept as benchtop-lab-data-before-restore-2026-12-01/) });
    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Resources: ['vol-0aa'], Tags: [{ Key: 'Name', Value: 'benchtop-lab-data-before-restore-2026-12-01' }, { Key: 'benchtop:replaced-by-restore', Value: 'vol-0bb' }] },
    ]);
    // The overview lists the kept volume (not the one in use) with its cost and the command that deletes it.
    expect(overview.keptVolumes).toEqual([
      { volumeId: 'vol-0aa', name: 'benchtop-lab-data-before-restore-2026-12-01', replacedBy: 'vol-0bb', state: 'available', sizeGiB: 100, createdAt: '2026-01-01T00:00:00.000Z', monthlyCostUsd: 8.8, deleteCommand: 'aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1' },
    ]);
  });

  it('leaves the volume its name when the restore rolls back', async () => {
    emptyVault();
    cfn.on(DescribeStackResourceCommand, { LogicalResourceId: 'DataVolume' }).resolves(dataVolume('vol-0aa'));
    cfn.on(DescribeStacksCommand).resolvesOnce(stack('UPDATE_COMPLETE')).resolvesOnce(stack('UPDATE_ROLLBACK_IN_PROGRESS', LATER)).resolves(stack('UPDATE_ROLLBACK_COMPLETE', LATER));
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    const { r } = withApply();
    await r.invoke(api.applyVaultRestore.name, { target, stackName: 'lab', changeSetName: 'benchtop-2', confirmDataLoss: 'lab' }, ctx);
    const overview = await settled(r);
    expect(overview.restore).toMatchObject({ state: 'failed', newVolumeId: null, message: expect.stringMatching(/UPDATE_ROLLBACK_COMPLETE.*stays on vol-0aa/) });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });

  it('passes deploy:apply’s refusal on and follows nothing', async () => {
    emptyVault();
    const { r } = withApply(() => {
      throw new ApiError('conflict', 'This change removes or replaces data: DataVolume.', 'Type the stack name "lab" to confirm.');
    });
    const out = await r.invoke(api.applyVaultRestore.name, { target, stackName: 'lab', changeSetName: 'benchtop-3', confirmDataLoss: 'nope' }, ctx);
    expect(out).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/removes or replaces data/) } });
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    expect((await settled(r)).restore).toBeNull();
  });
});
