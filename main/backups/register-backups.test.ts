import {
  BackupClient,
  DescribeBackupJobCommand,
  GetBackupPlanCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as api from '../../common/api/backups.contract.js';
import { Router } from '../../common/api/router.js';
import { createDeployClients } from '../deploy/deploy-clients.js';
import type { DeploySource } from '../deploy/template-source.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { nextDailyRun, snapshotIdOf } from './aws-vault.js';
import { registerBackups } from './register-backups.js';

const backup = mockClient(BackupClient);
const cfn = mockClient(CloudFormationClient);
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
    now: () => NOW,
  });
  return r;
}

beforeEach(() => {
  backup.reset();
  cfn.reset();
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
