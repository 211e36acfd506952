import { BackupClient } from '@aws-sdk/client-backup';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import * as api from '../../common/api/backups.contract.js';
import { applyPlan } from '../../common/api/deploy.contract.js';
import { ApiError } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';
import { createDeployClients, type DeployClients } from '../deploy/deploy-clients.js';
import { type DeploySource, loadDeploySource } from '../deploy/template-source.js';
import { type Timing, timingFromEnv } from '../deploy/timing.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { describeVaultJob, stackBackupNames, startVaultBackup, vaultOverview } from './aws-vault.js';
import { listKeptVolumes } from './kept-volume.js';
import { followRestore } from './restore-follow.js';
import { planVaultRestore, replacedVolumeOf } from './restore-plan.js';

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

  // The volume each planned restore replaces, by change set (the name it gets is the one the plan showed);
  // and the last restore applied per stack, while this app runs.
  const planned = new Map<string, { snapshotId: string; replaced: api.ReplacedVolume | null }>();
  const restores = new Map<string, api.VaultRestore>();
  const keyOf = (target: AwsTarget, stackName: string) => `${target.profile ?? ''}/${target.region}/${stackName}`;

  router
    .handle(api.getVaultOverview, async ({ target, stackName }) => {
      const c = deployClients(target);
      const names = await stackBackupNames(c.cfn, stackName);
      const overview = await vaultOverview(backupClient(target), names, now());
      const current = names.volumeArn?.split('/').at(-1) ?? null;
      // The kept volumes are extra: a role without ec2:DescribeVolumes still sees its recovery points.
      const notInUse = await listKeptVolumes(c.ec2, { name: stackName, id: names.stackId }, current, target.region, target.profile).catch(() => ({ kept: [], earlierStack: [] }));
      return { ...overview, keptVolumes: notInUse.kept, earlierStackVolumes: notInUse.earlierStack, restore: restores.get(keyOf(target, stackName)) ?? null };
    })
    .handle(api.startVaultBackup, async ({ target, stackName }) => startVaultBackup(backupClient(target), await stackBackupNames(deployClients(target).cfn, stackName)))
    .handle(api.getVaultJob, ({ target, jobId }) => describeVaultJob(backupClient(target), jobId))
    .handle(api.planVaultRestore, async ({ target, stackName, recoveryPointArn }) => {
      const out = await planVaultRestore(deployClients(target), stackName, recoveryPointArn, source(), timing, now());
      if (out.plan.changeSetName) planned.set(out.plan.changeSetName, { snapshotId: out.snapshotId, replaced: out.replaced });
      return out;
    })
    .handle(api.applyVaultRestore, async ({ target, stackName, changeSetName, confirmDataLoss }, ctx) => {
      const c = deployClients(target);
      const plan = planned.get(changeSetName);
      // Read before the apply starts: once it runs, the stack's DataVolume may already be the new one.
      const replaced = plan?.replaced ?? (await replacedVolumeOf(c, stackName, now()));
      const before = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.LastUpdatedTime?.toISOString() ?? null;
      const applied = await router.invoke(applyPlan.name, { target, stackName, changeSetName, ...(confirmDataLoss !== undefined ? { confirmDataLoss } : {}) }, ctx);
      if (!applied.ok) throw new ApiError(applied.error.code, applied.error.message, applied.error.fix);
      planned.delete(changeSetName);
      if (!replaced) return { started: true as const, stackName, restore: null };
      const key = keyOf(target, stackName);
      const restore: api.VaultRestore = {
        snapshotId: plan?.snapshotId ?? null,
        replaced,
        state: 'applying',
        newVolumeId: null,
        message: `Restoring: the services instance is being replaced. ${replaced.text}`,
      };
      restores.set(key, restore);
      void followRestore(c, stackName, restore, timing, before).then(
        (done) => restores.set(key, done),
        (e: unknown) => restores.set(key, { ...restore, state: 'failed', message: `The app lost track of the restore (${String(e)}); ${replaced.volumeId} was not renamed. Check the Deployment page.` }),
      );
      return { started: true as const, stackName, restore };
    });
}
