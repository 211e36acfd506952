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

/** A data volume of the stack that is not the one in use: kept by a restore (renamed), or left by one the app did not see end. */
export const keptVolume = z.object({
  volumeId: z.string(),
  name: z.string().nullable(),
  /** The volume that replaced it (the benchtop:replaced-by-restore tag); null before it is renamed. */
  replacedBy: z.string().nullable(),
  state: z.string(),
  sizeGiB: z.number().nullable(),
  createdAt: z.string().nullable(),
  /** What it costs a month while it exists (gp3, the shipped price table). */
  monthlyCostUsd: z.number().nullable(),
  /** The AWS CLI command that deletes it. */
  deleteCommand: z.string(),
});
export type KeptVolume = z.infer<typeof keptVolume>;

/** A data volume tagged with this stack's name that another (earlier, deleted) stack of that name made. */
export const earlierStackVolume = z.object({
  volumeId: z.string(),
  /** Its aws:cloudformation:stack-id tag. */
  stackId: z.string(),
});
export type EarlierStackVolume = z.infer<typeof earlierStackVolume>;

/** The volume a restore replaces: what it will be called, what it costs, how to delete it. */
export const replacedVolume = z.object({
  volumeId: z.string(),
  name: z.string(),
  monthlyCostUsd: z.number().nullable(),
  deleteCommand: z.string(),
  /** The same in words, as the plan says it. */
  text: z.string(),
});
export type ReplacedVolume = z.infer<typeof replacedVolume>;

/** A restore applied from this app: followed until the stack settles, then the replaced volume renamed. */
export const vaultRestore = z.object({
  snapshotId: z.string().nullable(),
  replaced: replacedVolume,
  state: z.enum(['applying', 'kept', 'failed']),
  /** The volume the platform now runs on, once the restore succeeded. */
  newVolumeId: z.string().nullable(),
  message: z.string(),
});
export type VaultRestore = z.infer<typeof vaultRestore>;

export const vaultOverview = z.object({
  vaultName: z.string(),
  recoveryPoints: z.array(recoveryPoint),
  jobs: z.array(backupJob),
  plan: z.object({ name: z.string(), schedule: z.string(), nextRunAt: z.string().nullable(), retentionDays: z.number().nullable() }).nullable(),
  /** The data volume the plan protects. */
  volumeArn: z.string().nullable(),
  keptVolumes: z.array(keptVolume).default([]),
  /** Data volumes an earlier, deleted stack of the same name kept (another CloudFormation stack id): not this stack's, so not in keptVolumes, but named so they can be found. */
  earlierStackVolumes: z.array(earlierStackVolume).default([]),
  /** The last restore applied from this app, while the app runs. */
  restore: vaultRestore.nullable().default(null),
});
export type VaultOverview = z.infer<typeof vaultOverview>;

export const getVaultOverview = defineCall('backups:vault-overview', { input: stackInput, output: vaultOverview });
export const startVaultBackup = defineCall('backups:start-vault-backup', { input: stackInput, output: backupJob });
export const getVaultJob = defineCall('backups:vault-job', { input: z.object({ target: deployTarget, jobId: z.string().min(1).max(200) }).strict(), output: backupJob });

/**
 * A change set that starts a new data volume from the recovery point's snapshot: the services
 * instance is replaced and the current volume kept (UpdateReplacePolicy Retain), to be renamed once
 * the restore succeeds. Applied with backups:apply-vault-restore (the stack name typed to confirm).
 */
export const planVaultRestore = defineCall('backups:plan-vault-restore', {
  input: z.object({ target: deployTarget, stackName, recoveryPointArn: z.string().min(20).max(2048) }).strict(),
  output: z.object({ plan, snapshotId: z.string(), replaced: replacedVolume.nullable() }),
});

/**
 * deploy:apply of a restore plan (same data-loss gate, followed on the Deployment page), then, once
 * the stack settles on the new volume, the replaced one renamed and tagged.
 */
export const applyVaultRestore = defineCall('backups:apply-vault-restore', {
  input: z.object({ target: deployTarget, stackName, changeSetName: z.string().min(1), confirmDataLoss: z.string().optional() }).strict(),
  output: z.object({ started: z.literal(true), stackName: z.string(), restore: vaultRestore.nullable() }),
});
