import {
  type BackupClient,
  DescribeBackupJobCommand,
  GetBackupPlanCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartBackupJobCommand,
  type BackupJob as AwsBackupJob,
} from '@aws-sdk/client-backup';
import { type CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { BackupJob, VaultOverview } from '../../common/api/backups.contract.js';
import { ApiError } from '../../common/api/errors.js';

/** What the stack names for its backups (templates/platform.yaml: BackupVault, BackupPlan, BackupRole, DataVolume). */
export interface StackBackupNames {
  /** The CloudFormation stack id: what tells this stack's volumes from those an earlier stack of the same name kept. */
  stackId: string;
  vaultName: string;
  planName: string;
  accountId: string;
  region: string;
  partition: string;
  volumeArn: string | null;
  backupRoleArn: string | null;
}

export async function physicalId(cfn: CloudFormationClient, stackName: string, logicalId: string): Promise<string | null> {
  try {
    return (await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }))).StackResourceDetail?.PhysicalResourceId ?? null;
  } catch {
    return null;
  }
}

/** The vault is named from the stack id's unique part (it outlives the stack), the plan from the stack's name. */
export async function stackBackupNames(cfn: CloudFormationClient, stackName: string): Promise<StackBackupNames> {
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  const stackId = stack?.StackId;
  if (!stackId) throw new ApiError('not-found', `There is no stack ${stackName} in this region.`, 'Pick the deployment whose backups you want to see.');
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>
  const [, partition = 'aws', , region = '', accountId = '', resource = ''] = stackId.split(':');
  const uuid = resource.split('/')[2] ?? '';
  const volume = await physicalId(cfn, stackName, 'DataVolume');
  const role = await physicalId(cfn, stackName, 'BackupRole');
  return {
    stackId,
    vaultName: `benchtop-${uuid}`,
    planName: `benchtop-${stackName}`,
    accountId,
    region,
    partition,
    volumeArn: volume ? `arn:${partition}:ec2:${region}:${accountId}:volume/${volume}` : null,
    backupRoleArn: role ? `arn:${partition}:iam::${accountId}:role/${role}` : null,
  };
}

/** An EBS recovery point's ARN names its snapshot: arn:aws:ec2:<region>::snapshot/snap-…. */
export function snapshotIdOf(recoveryPointArn: string): string | null {
  return /:snapshot\/(snap-[0-9a-f]{8,17})$/.exec(recoveryPointArn)?.[1] ?? null;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

export function toJob(j: AwsBackupJob): BackupJob {
  const percent = j.PercentDone === undefined ? null : Number(j.PercentDone);
  return {
    id: j.BackupJobId ?? '',
    state: j.State ?? 'UNKNOWN',
    resourceType: j.ResourceType ?? null,
    createdAt: iso(j.CreationDate),
    completedAt: iso(j.CompletionDate),
    percentDone: percent === null || Number.isNaN(percent) ? null : percent,
    message: j.StatusMessage ?? null,
  };
}

/**
 * The next time a daily AWS Backup schedule fires: `cron(M H * * ? *)` in UTC, the form the
 * stack's plan uses. Other expressions are shown as written, without a next time.
 */
export function nextDailyRun(schedule: string, now: number): string | null {
  const match = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(schedule.trim());
  if (!match) return null;
  const d = new Date(now);
  let next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(match[2]), Number(match[1]));
  if (next <= now) next += 24 * 3600_000;
  return new Date(next).toISOString();
}

/** The vault's side of the overview; the kept volumes and the restore in progress are added by the caller. */
export async function vaultOverview(backup: BackupClient, names: StackBackupNames, now: number): Promise<Omit<VaultOverview, 'keptVolumes' | 'earlierStackVolumes' | 'restore'>> {
  const points = await backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: names.vaultName, MaxResults: 50 }));
  const jobs = await backup.send(new ListBackupJobsCommand({ ByBackupVaultName: names.vaultName, MaxResults: 20 }));
  const plans = await backup.send(new ListBackupPlansCommand({ MaxResults: 100 }));
  const planId = plans.BackupPlansList?.find((p) => p.BackupPlanName === names.planName)?.BackupPlanId;
  let plan: VaultOverview['plan'] = null;
  if (planId) {
    const rule = (await backup.send(new GetBackupPlanCommand({ BackupPlanId: planId }))).BackupPlan?.Rules?.[0];
    const schedule = rule?.ScheduleExpression ?? '';
    plan = { name: names.planName, schedule, nextRunAt: nextDailyRun(schedule, now), retentionDays: rule?.Lifecycle?.DeleteAfterDays ?? null };
  }
  return {
    vaultName: names.vaultName,
    volumeArn: names.volumeArn,
    plan,
    recoveryPoints: (points.RecoveryPoints ?? [])
      .map((p) => ({
        arn: p.RecoveryPointArn ?? '',
        snapshotId: p.RecoveryPointArn ? snapshotIdOf(p.RecoveryPointArn) : null,
        resourceArn: p.ResourceArn ?? null,
        resourceType: p.ResourceType ?? null,
        status: p.Status ?? 'UNKNOWN',
        createdAt: iso(p.CreationDate),
        sizeBytes: p.BackupSizeInBytes ?? null,
        deleteAt: iso(p.CalculatedLifecycle?.DeleteAt),
      }))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')),
    jobs: (jobs.BackupJobs ?? []).map(toJob).sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '')),
  };
}

export async function startVaultBackup(backup: BackupClient, names: StackBackupNames): Promise<BackupJob> {
  if (!names.volumeArn || !names.backupRoleArn) throw new ApiError('conflict', 'The stack has no data volume or backup role to back up.', 'Check the stack on the Deployment page; it may still be creating.');
  const started = await backup.send(
    new StartBackupJobCommand({ BackupVaultName: names.vaultName, ResourceArn: names.volumeArn, IamRoleArn: names.backupRoleArn, IdempotencyToken: `benchtop-${Date.now()}` }),
  );
  return describeVaultJob(backup, started.BackupJobId ?? '');
}

export async function describeVaultJob(backup: BackupClient, jobId: string): Promise<BackupJob> {
  const j = await backup.send(new DescribeBackupJobCommand({ BackupJobId: jobId }));
  return toJob({ ...j, BackupJobId: j.BackupJobId ?? jobId } as AwsBackupJob);
}
