import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import * as api from '../../common/api/cost.contract.js';
import type { Router } from '../../common/api/router.js';
import { rollupCsv } from '../../common/protocol/cost.js';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';
import { estimateMonthlyCost } from '../../templates/cost/estimate.js';
import { createDeployClients, type DeployClients } from '../deploy/deploy-clients.js';
import { findStack } from '../deploy/preflight-aws.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { addEmailNotification, readStackBudget, updateStackBudgetLimit } from './stack-budget.js';
import { activateCostTag, costTagStatus, stackCost } from './stack-cost.js';

export interface CostClients {
  costExplorer(target: AwsTarget): CostExplorerClient;
  budgets(target: AwsTarget): BudgetsClient;
  sts(target: AwsTarget): STSClient;
  deploy(target: AwsTarget): DeployClients;
}

// Cost Explorer and Budgets answer in us-east-1 whatever region the stack is in.
const GLOBAL = 'us-east-1';

export const defaultCostClients: CostClients = {
  costExplorer: (t) => createAwsClient(CostExplorerClient, { ...t, region: GLOBAL }),
  budgets: (t) => createAwsClient(BudgetsClient, { ...t, region: GLOBAL }),
  sts: (t) => createAwsClient(STSClient, t),
  deploy: (t) => createDeployClients(t),
};

export interface CostDeps {
  platforms: PlatformRegistry;
  clients?: CostClients;
  now?: () => number;
}

async function accountOf(clients: CostClients, target: AwsTarget): Promise<string> {
  const account = (await clients.sts(target).send(new GetCallerIdentityCommand({}))).Account;
  if (!account) throw new Error('STS did not say which account these credentials are in');
  return account;
}

/** The cost model's idle month for the stack as deployed, or null when its parameters cannot be priced. */
async function idleEstimate(c: DeployClients, stackName: string, region: string): Promise<number | null> {
  const found = await findStack(c, stackName);
  if (!found) return null;
  const params = Object.fromEntries((found.stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
  try {
    return estimateMonthlyCost(params, region).idle.totalMonthlyUsd;
  } catch {
    return null;
  }
}

export function registerCost(router: Router, deps: CostDeps): void {
  const clients = deps.clients ?? defaultCostClients;
  const now = deps.now ?? Date.now;
  const { platforms } = deps;

  router
    .handle(api.getRollup, ({ month, by }) => platforms.withActive((client) => client.costRollup({ month, by })))
    .handle(api.exportRollupCsv, ({ month, by }) =>
      platforms.withActive(async (client, info) => {
        const rollup = await client.costRollup({ month, by });
        const name = info.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'platform';
        return { filename: `benchtop-cost-${name}-${month}-by-${by}.csv`, csv: rollupCsv(rollup) };
      }),
    )
    .handle(api.getLocalRate, () => platforms.withActive((client) => client.localRate()))
    .handle(api.setLocalRate, ({ hourlyUsd }) => platforms.withActiveAdmin((client) => client.setLocalRate(hourlyUsd)))
    .handle(api.getPlatformBudget, () => platforms.withActive((client) => client.budget()))
    .handle(api.setPlatformBudget, (body) => platforms.withActiveAdmin((client) => client.setBudget(body)))
    .handle(api.checkPlatformBudget, () => platforms.withActiveAdmin((client) => client.checkBudget()))
    .handle(api.resumePlatformBudget, () => platforms.withActiveAdmin((client) => client.resumeBudget()));

  router
    .handle(api.getStackCost, async ({ target, stackName }) => {
      const ce = clients.costExplorer(target);
      const tag = await costTagStatus(ce);
      const idle = await idleEstimate(clients.deploy(target), stackName, target.region);
      return { tag, ...(await stackCost(ce, stackName, now(), idle)) };
    })
    .handle(api.activateCostTag, ({ target }) => activateCostTag(clients.costExplorer(target)))
    .handle(api.getStackBudget, async ({ target, stackName }) => readStackBudget(clients.budgets(target), await accountOf(clients, target), stackName))
    .handle(api.updateStackBudget, async ({ target, stackName, limitUsd }) => {
      const account = await accountOf(clients, target);
      await updateStackBudgetLimit(clients.budgets(target), account, stackName, limitUsd);
      return readStackBudget(clients.budgets(target), account, stackName);
    })
    .handle(api.addBudgetNotification, async ({ target, stackName, notificationType, thresholdPercent, email }) => {
      const account = await accountOf(clients, target);
      await addEmailNotification(clients.budgets(target), account, stackName, { notificationType, thresholdPercent, email });
      return readStackBudget(clients.budgets(target), account, stackName);
    });
}
