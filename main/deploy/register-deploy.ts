import { ListCertificatesCommand, type CertificateSummary } from '@aws-sdk/client-acm';
import type { AwsTarget } from '../../lib/aws/client-factory.js';
import * as api from '../../common/api/deploy.contract.js';
import { ApiError } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import { estimateMonthlyCost } from '../../templates/cost/estimate.js';
import { PRICES, PRICES_AS_OF } from '../../templates/cost/price-table.js';
import { applyPlan, dataLossBlocked } from './apply.js';
import { BackgroundOperations } from './background-operations.js';
import { createDataCleanupClients, type DataCleanupClients } from './data-cleanup.js';
import { createDeployClients, type DeployClients } from './deploy-clients.js';
import { AccountResolver, type DeployTarget, DeploymentRecords, refId, type StackRef } from './deployment-records.js';
import type { Deployment } from '../../common/api/settings.contract.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { DeployError } from './deploy-error.js';
import { preparePlan } from './deploy-flow.js';
import { type DeleteResult, deleteStack } from './delete-stack.js';
import { loadPlan } from './plan.js';
import { P } from '../../common/deploy/platform-parameters.js';
import { runPreflight } from './preflight.js';
import { findStack } from './preflight-aws.js';
import { continueRollback, deleteAndWatch, inspectStack } from './recovery.js';
import { StackEventReader } from './stack-events.js';
import { allowedValues, type DeploySource, loadDeploySource, parameterDefaults } from './template-source.js';
import { type Timing, timingFromEnv } from './timing.js';
import { versionInfo } from './upgrade.js';
import { watchStack } from './watch-stack.js';

/** What the deploy engine asks of the researcher plane about a deployment's platform (main/platform/connection). */
export interface DeploymentPlatformHooks {
  /** After an install or upgrade succeeded: read the URL and admin token, make it the active platform. */
  connect(d: Deployment): Promise<unknown>;
  /** The stack is gone: forget its platform and token. */
  forget(deploymentId: string): void;
  /** The versions its agents report, when the platform answers. */
  agentVersions(d: Deployment): Promise<{ services?: string; workers?: { version: string; count: number }[] }>;
}

const COMPLETED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

export interface DeployDeps {
  /** Overridable for tests; the app makes clients through main/aws. */
  clients?: (target: AwsTarget) => DeployClients;
  cleanupClients?: (target: AwsTarget) => DataCleanupClients;
  /** Where deployments are saved (before apply, as seen, removed when gone); absent: nothing is saved. */
  settings?: SettingsStore;
  platforms?: DeploymentPlatformHooks;
  source?: () => DeploySource;
  timing?: Timing;
  operations?: BackgroundOperations;
  env?: NodeJS.ProcessEnv;
}

function asApiError(e: unknown): unknown {
  return e instanceof DeployError ? new ApiError(e.status ? 'conflict' : 'aws', e.message, e.fix) : e;
}

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw asApiError(e);
  }
}

export function registerDeploy(router: Router, deps: DeployDeps = {}): void {
  const clients = deps.clients ?? ((t: AwsTarget) => createDeployClients(t));
  let cached: DeploySource | undefined;
  const source = deps.source ?? (() => (cached ??= loadDeploySource()));
  const timing = deps.timing ?? timingFromEnv(deps.env);
  const ops = deps.operations ?? new BackgroundOperations();
  const cleanupClients = deps.cleanupClients ?? ((t: AwsTarget) => createDataCleanupClients(t));
  const accounts = new AccountResolver();
  const records = new DeploymentRecords(deps.settings);
  const deleteReports = new Map<string, DeleteResult>();
  const open = async (target: DeployTarget, stackName: string) => {
    const c = clients(target);
    const ref = await accounts.resolve(c, target, stackName);
    return { c, ref, key: refId(ref) };
  };
  /** After a background operation: note the status; a stack that is gone takes its entry and platform with it. */
  const settle = (ref: StackRef, status: string) => {
    if (status === 'DELETE_COMPLETE') {
      const gone = records.gone(ref);
      if (gone) deps.platforms?.forget(gone.id);
    } else records.seen(ref, status);
  };

  router.handle(api.getTemplateInfo, () => {
    const s = source();
    const descriptions: Record<string, string> = {};
    for (const [name, decl] of Object.entries((s.platform.Parameters ?? {}) as Record<string, { Description?: string }>)) if (decl.Description) descriptions[name] = decl.Description;
    return { stackVersion: s.stackVersion, defaults: parameterDefaults(s.platform), allowed: allowedValues(s.platform), descriptions };
  });

  router.handle(api.runPreflight, ({ target, stackName, params }) =>
    guard(() => runPreflight(clients(target), { stackName, region: target.region, params: { ...parameterDefaults(source().platform), ...params }, allowed: allowedValues(source().platform), declared: Object.keys(source().platform.Parameters ?? {}) })),
  );

  router.handle(api.createPlan, ({ target, stackName, params, updateImages }) =>
    guard(async () => (await preparePlan(clients(target), stackName, params, source(), timing, undefined, { updateImages: Boolean(updateImages) })).plan),
  );

  router.handle(api.applyPlan, ({ target, stackName, changeSetName, confirmDataLoss }) =>
    guard(async () => {
      const { c, ref, key } = await open(target, stackName);
      const plan = await loadPlan(c, stackName, changeSetName);
      if (dataLossBlocked(plan, confirmDataLoss)) {
        throw new ApiError('conflict', `This change removes or replaces data: ${plan.dataRisks.map((r) => r.logicalId).join(', ')}.`, `Type the stack name "${stackName}" to confirm.`);
      }
      // Saved before anything runs: an install interrupted by closing the app is found again on the Deployment page.
      records.beforeApply(ref, plan.type === 'CREATE' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS');
      await ops.start(key, async (started) => {
        const result = await applyPlan(c, plan, { guardRails: true, confirmDataLoss, onExecuted: started }, timing);
        const saved = records.seen(ref, result.status);
        if (result.ok && saved) await deps.platforms?.connect(saved);
        return result;
      });
      return { started: true as const, stackName };
    }),
  );

  router.handle(api.getStatus, ({ target, stackName }) =>
    guard(async () => {
      const { c, ref, key } = await open(target, stackName);
      const health = await inspectStack(c, stackName);
      const stack = health.exists ? (await findStack(c, stackName))?.stack : undefined;
      const lastError = ops.lastError(key);
      const running = ops.isRunning(key);
      let saved = records.find(ref);
      let forgotten = false;
      // Only an entry known to be of this account is forgotten: an older one without its account may
      // simply have been looked for with a profile that now signs in elsewhere.
      if (!health.exists && !running && saved?.accountId && saved.accountId === ref.accountId) {
        records.gone(ref);
        deps.platforms?.forget(saved.id);
        forgotten = true;
      } else if (health.exists) {
        const before = saved?.lastKnownStatus;
        saved = records.seen(ref, health.status);
        // An install or upgrade that finished while the app was closed (or followed only from this
        // page) gets its platform connected as one started from here would.
        if (saved && !running && before !== health.status && before?.endsWith('_IN_PROGRESS') && COMPLETED.has(health.status)) void deps.platforms?.connect(saved);
      }
      const agents = saved && stack && deps.platforms ? await deps.platforms.agentVersions(saved) : {};
      const report = deleteReports.get(key);
      return {
        stackName,
        exists: health.exists,
        status: health.status,
        message: health.message,
        actions: health.actions,
        version: versionInfo(stack, source().stackVersion, agents),
        outputs: (stack?.Outputs ?? []).map((o) => ({ key: o.OutputKey ?? '', value: o.OutputValue ?? '', ...(o.Description ? { description: o.Description } : {}) })),
        terminationProtection: Boolean(stack?.EnableTerminationProtection),
        ...(ref.accountId ? { accountId: ref.accountId } : {}),
        ...(saved ? { deploymentId: saved.id } : {}),
        forgotten,
        operationRunning: running,
        ...(report ? { lastDelete: { status: report.status, ok: report.ok, deleted: report.deleted, kept: report.kept } } : {}),
        ...(lastError ? { lastError } : {}),
      };
    }),
  );

  router.handle(api.listEvents, ({ target, stackName, limit }) =>
    guard(async () => {
      const reader = new StackEventReader(clients(target), stackName, false, { kind: 'after', seen: [] });
      const n = limit ?? 100;
      return { events: (await reader.fetchNew(Math.ceil(n / 100) + 1)).slice(-n) };
    }),
  );

  router.handle(api.deleteStack, ({ target, stackName, confirm, deleteData, retain }) =>
    guard(async () => {
      if (confirm !== stackName) throw new ApiError('bad-input', `The confirmation "${confirm}" is not the stack name.`, `Type "${stackName}" exactly to delete it.`);
      const { c, ref, key } = await open(target, stackName);
      deleteReports.delete(key);
      await ops.start(key, async (started) => {
        const result = await deleteStack(c, stackName, { confirm, deleteData, ...(retain ? { retain } : {}), ...(deleteData ? { cleanup: cleanupClients(target) } : {}), onStarted: started }, timing);
        deleteReports.set(key, result);
        settle(ref, result.status);
        return result;
      });
      return { started: true as const, stackName };
    }),
  );

  router.handle(api.recoverStack, ({ target, stackName, action }) =>
    guard(async () => {
      const { c, ref, key } = await open(target, stackName);
      const followed = (run: (started: () => void) => Promise<{ status: string }>) =>
        ops.start(key, async (started) => {
          const result = await run(started);
          settle(ref, result.status);
          return result;
        });
      switch (action.kind) {
        case 'continue-rollback':
          await followed((started) => continueRollback(c, stackName, action.resourcesToSkip, timing, undefined, started));
          break;
        case 'delete-retaining':
          await followed((started) => deleteAndWatch(c, stackName, action.retain, timing, undefined, started));
          break;
        case 'delete-and-retry':
          await followed((started) => deleteAndWatch(c, stackName, [], timing, undefined, started));
          break;
        case 'wait':
          throw new ApiError('bad-input', 'Waiting is not an action to start.', 'Follow the stack on the Deployment page.');
      }
      return { started: true as const, stackName };
    }),
  );

  router.handle(api.listCertificates, ({ target }) =>
    guard(async () => {
      const c = clients(target);
      const all: CertificateSummary[] = [];
      let token: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await c.acm.send(new ListCertificatesCommand({ NextToken: token, MaxItems: 100 }));
        all.push(...(out.CertificateSummaryList ?? []));
        token = out.NextToken;
        if (!token) break;
      }
      return {
        certificates: all
          .filter((s) => s.CertificateArn)
          .map((s) => ({ arn: s.CertificateArn!, domainName: s.DomainName ?? '', status: s.Status ?? 'UNKNOWN', inUse: Boolean(s.InUse) })),
      };
    }),
  );

  router.handle(api.listInstanceTypes, ({ target }) => {
    const allowed = allowedValues(source().platform);
    const prices = PRICES[target.region]?.ec2Hourly;
    const types = [P.servicesInstanceType, P.cpuWorkerInstanceType, P.gpuWorkerInstanceType].flatMap((parameter) =>
      (allowed[parameter] ?? []).map((instanceType) => {
        const hourlyUsd = prices?.[instanceType];
        return { parameter, instanceType, ...(hourlyUsd !== undefined ? { hourlyUsd } : {}) };
      }),
    );
    return { types, ...(prices ? { pricesAsOf: PRICES_AS_OF } : {}) };
  });

  router.handle(api.estimateCost, ({ region, params }) => {
    try {
      const estimate = estimateMonthlyCost(params, region);
      return { idle: estimate.idle.items, totalMonthlyUsd: estimate.idle.totalMonthlyUsd, pricesAsOf: estimate.pricesAsOf };
    } catch (e) {
      throw new ApiError('bad-input', e instanceof Error ? e.message : String(e), 'Fix the parameters named above, or pick a priced region.');
    }
  });

  router.handleEvent(api.watchStack, async ({ target, stackName }, emit, signal) => {
    const { c } = await open(target, stackName).catch((e: unknown) => {
      throw asApiError(e);
    });
    await watchStack(c, { stackName, onMessage: emit }, { ...timing, signal }).catch((e: unknown) => {
      if (!signal.aborted) throw asApiError(e);
    });
  });
}
