import { BackupClient } from '@aws-sdk/client-backup';
import * as api from '../../common/api/backups.contract.js';
import { ApiError } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';
import { createDeployClients, type DeployClients } from '../deploy/deploy-clients.js';
import { type DeploySource, loadDeploySource } from '../deploy/template-source.js';
import { type Timing, timingFromEnv } from '../deploy/timing.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { describeVaultJob, stackBackupNames, startVaultBackup, vaultOverview } from './aws-vault.js';
import { planVaultRestore } from './restore-plan.js';

export interface BackupsDeps {
  platforms: PlatformRegistry;
  backupClient?: (target: AwsTarget) => BackupClient;
  deployClients?: (target: AwsTarget) => DeployClients;
  source?: () => DeploySource;
  timing?: Timing;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export function registerBackups(router: Router, deps: BackupsDeps): void {
  const { platforms } = deps;
  const backupClient = deps.backupClient ?? ((t: AwsTarget) => createAwsClient(BackupClient, t));
  const deployClients = deps.deployClients ?? ((t: AwsTarget) => createDeployClients(t));
  let cached: DeploySource | undefined;
  const source = deps.source ?? (() => (cached ??= loadDeploySource()));
  const timing = deps.timing ?? timingFromEnv(deps.env);
  const now = deps.now ?? Date.now;

  router
    .handle(api.listDatabaseBackups, () => platforms.withActiveAdmin((client) => client.listBackups()))
    .handle(api.createDatabaseBackup, () => platforms.withActiveAdmin((client) => client.createBackup()))
    .handle(api.restoreDatabaseBackup, ({ name, confirm }) => {
      if (confirm !== name) throw new ApiError('bad-input', `confirm: type the backup's name (${name}) to restore it.`, 'The restore replaces the platform’s runs, capsules and datasets with those of the backup.');
      return platforms.withActiveAdmin((client) => client.restoreBackup(name));
    })
    .handle(api.runRestoreDrill, () => platforms.withActiveAdmin((client) => client.runDrill()))
    .handle(api.listRestoreDrills, () => platforms.withActiveAdmin((client) => client.listDrills()));

  router
    .handle(api.getVaultOverview, async ({ target, stackName }) => vaultOverview(backupClient(target), await stackBackupNames(deployClients(target).cfn, stackName), now()))
    .handle(api.startVaultBackup, async ({ target, stackName }) => startVaultBackup(backupClient(target), await stackBackupNames(deployClients(target).cfn, stackName)))
    .handle(api.getVaultJob, ({ target, jobId }) => describeVaultJob(backupClient(target), jobId))
    .handle(api.planVaultRestore, ({ target, stackName, recoveryPointArn }) => planVaultRestore(deployClients(target), stackName, recoveryPointArn, source(), timing));
}
