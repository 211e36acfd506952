import { z } from 'zod';
import { backupList, backupName, databaseBackup, drillList, restoreDrill, restoreResult } from '../protocol/backups.js';
import { defineCall } from './contract.js';
import { deployTarget, plan } from './deploy.contract.js';
import { stackName } from './settings.contract.js';

// The admin's Backups page. The platform's own database backups (the services agent: a folder in
// the sandbox, also S3 on AWS) with restore and restore drills; and on AWS the stack's AWS Backup
// vault: recovery points of the data volume, jobs, the next scheduled run, an on-demand backup,
// and a restore planned through the deploy engine's plan/apply with its data-loss gate.

const none = z.void().or(z.object({}).strict());

export const listDatabaseBackups = defineCall('backups:list-database', { input: none, output: backupList });
export const createDatabaseBackup = defineCall('backups:create-database', { input: none, output: databaseBackup });
/** `confirm` must repeat the backup's name: the restore replaces the platform's records. */
export const restoreDatabaseBackup = defineCall('backups:restore-database', {
  input: z.object({ name: backupName, confirm: z.string() }).strict(),
  output: restoreResult,
});
export const runRestoreDrill = defineCall('backups:run-drill', { input: none, output: restoreDrill });
export const listRestoreDrills = defineCall('backups:list-drills', { input: none, output: drillList });

const stackInput = z.object({ target: deployTarget, stackName }).strict();

export const recoveryPoint = z.object({
  arn: z.string(),
  /** The EBS snapshot it is (restores start a new data volume from it). */
  snapshotId: z.string().nullable(),
  resourceArn: z.string().nullable(),
  resourceType: z.string().nullable(),
  status: z.string(),
  createdAt: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  deleteAt: z.string().nullable(),
});
export type RecoveryPoint = z.infer<typeof recoveryPoint>;

export const backupJob = z.object({
  id: z.string(),
  state: z.string(),
  resourceType: z.string().nullable(),
  createdAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  /** 0–100 while it runs. */
  percentDone: z.number().nullable(),
  message: z.string().nullable(),
});
export type BackupJob = z.infer<typeof backupJob>;

export const vaultOverview = z.object({
  vaultName: z.string(),
  recoveryPoints: z.array(recoveryPoint),
  jobs: z.array(backupJob),
  plan: z.object({ name: z.string(), schedule: z.string(), nextRunAt: z.string().nullable(), retentionDays: z.number().nullable() }).nullable(),
  /** The data volume the plan protects. */
  volumeArn: z.string().nullable(),
});
export type VaultOverview = z.infer<typeof vaultOverview>;

export const getVaultOverview = defineCall('backups:vault-overview', { input: stackInput, output: vaultOverview });
export const startVaultBackup = defineCall('backups:start-vault-backup', { input: stackInput, output: backupJob });
export const getVaultJob = defineCall('backups:vault-job', { input: z.object({ target: deployTarget, jobId: z.string().min(1).max(200) }).strict(), output: backupJob });

/**
 * A change set that starts a new data volume from the recovery point's snapshot: the services
 * instance is replaced, the current volume snapshotted before it is deleted. Applied with deploy:apply
 * (the stack name typed to confirm).
 */
export const planVaultRestore = defineCall('backups:plan-vault-restore', {
  input: z.object({ target: deployTarget, stackName, recoveryPointArn: z.string().min(20).max(2048) }).strict(),
  output: z.object({ plan, snapshotId: z.string() }),
});
