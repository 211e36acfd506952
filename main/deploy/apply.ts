import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { errorText, isUnanswerable } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { ALLOW_ALL_STACK_POLICY, DATA_STACK_POLICY, protectStack, setPolicy } from './guard-rails.js';
import type { Plan } from './plan.js';
import { findStack } from './preflight-aws.js';
import { StackEventReader } from './stack-events.js';
import { type Timing } from './timing.js';
import { type WatchMessage, type WatchResult, watchStack } from './watch-stack.js';

export interface ApplyOptions {
  /** Must equal the stack name when the plan removes or replaces a data resource. */
  confirmDataLoss?: string;
  /** Guard rails are for the platform stack; the bootstrap stack only holds artifacts. */
  guardRails: boolean;
  onMessage?: (m: WatchMessage) => void;
  /** Warnings that did not stop the apply (a guard rail the endpoint cannot set). */
  onWarning?: (message: string) => void;
  /** Called once ExecuteChangeSet is accepted: a caller running the apply in the background waits for this. */
  onExecuted?: () => void;
}

export function dataLossBlocked(plan: Plan, confirmation: string | undefined): boolean {
  return plan.dataRisks.length > 0 && confirmation !== plan.stackName;
}

async function bestEffort(what: string, run: () => Promise<void>, warn: (m: string) => void): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!isUnanswerable(e)) throw e;
    warn(`${what} was not set: the endpoint does not support it (${errorText(e)}).`);
  }
}

/** Executes a plan's change set and follows the stack to its final status. */
export async function applyPlan(c: DeployClients, plan: Plan, options: ApplyOptions, timing: Timing): Promise<WatchResult> {
  if (plan.noChanges || !plan.changeSetName) return { status: 'NO_CHANGES', ok: true, events: 0 };
  if (dataLossBlocked(plan, options.confirmDataLoss)) {
    const list = plan.dataRisks.map((r) => `${r.logicalId} (${r.resourceType})`).join(', ');
    throw new DeployError(
      `This change removes or replaces data resources: ${list}.`,
      `Type the stack name "${plan.stackName}" to confirm (CLI: --confirm-data-loss ${plan.stackName}), or change the parameters so they are kept.`,
    );
  }
  const warn = options.onWarning ?? (() => undefined);
  const confirmedLoss = options.guardRails && plan.type === 'UPDATE' && plan.dataRisks.length > 0;
  if (confirmedLoss) await bestEffort('The stack policy', () => setPolicy(c, plan.stackName, ALLOW_ALL_STACK_POLICY), warn);

  const before = await findStack(c, plan.stackName);
  const known = await StackEventReader.currentIds(c, plan.stackName);
  await c.cfn.send(new ExecuteChangeSetCommand({ StackName: plan.stackName, ChangeSetName: plan.changeSetName, ClientRequestToken: `${plan.changeSetName}-exec` }));
  options.onExecuted?.();
  let result: WatchResult;
  try {
    result = await watchStack(
      c,
      {
        stackName: plan.stackName,
        planned: plan.changes.length,
        knownEventIds: known,
        before: { status: before?.status, lastUpdated: before?.stack.LastUpdatedTime?.toISOString() },
        onMessage: options.onMessage,
      },
      timing,
    );
  } finally {
    if (confirmedLoss) await bestEffort('The stack policy', () => setPolicy(c, plan.stackName, DATA_STACK_POLICY), warn);
  }
  // Also after an update, so a stack installed before the guard rails existed gets them.
  if (options.guardRails && result.ok && !confirmedLoss) {
    await bestEffort('Termination protection and the stack policy', () => protectStack(c, plan.stackName), warn);
  }
  return result;
}
