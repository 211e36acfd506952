import { ContinueUpdateRollbackCommand, DeleteStackCommand, DescribeStackResourcesCommand, type StackResource } from '@aws-sdk/client-cloudformation';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { findStack } from './preflight-aws.js';
import { StackEventReader } from './stack-events.js';
import { statusKind } from '../../common/deploy/stack-status.js';
import type { Timing } from './timing.js';
import { type WatchMessage, type WatchResult, watchStack } from './watch-stack.js';

export type RecoveryAction =
  | { kind: 'delete-and-retry' }
  | { kind: 'continue-rollback'; resourcesToSkip: string[] }
  | { kind: 'delete-retaining'; retain: string[] }
  | { kind: 'wait' };

export interface StackHealth {
  stackName: string;
  exists: boolean;
  status: string;
  message: string;
  actions: RecoveryAction[];
}

/** What the admin can do about a stack in this status. Pure. */
export function diagnose(stackName: string, status: string, failed: { logicalId: string; status: string }[], reason?: string): StackHealth {
  const base = { stackName, exists: status !== 'DELETE_COMPLETE', status };
  const why = reason ? ` (${reason})` : '';
  const failedIds = (s: string) => failed.filter((r) => r.status === s).map((r) => r.logicalId);
  switch (status) {
    case 'ROLLBACK_COMPLETE':
    case 'ROLLBACK_FAILED':
    case 'CREATE_FAILED':
      return { ...base, message: `The install of ${stackName} failed and was rolled back${why}; the stack cannot be updated, so delete it and install again.`, actions: status === 'ROLLBACK_FAILED' ? [{ kind: 'delete-retaining', retain: failedIds('DELETE_FAILED') }] : [{ kind: 'delete-and-retry' }] };
    case 'UPDATE_ROLLBACK_FAILED':
      return { ...base, message: `The upgrade of ${stackName} failed and so did its rollback${why}; continue the rollback, skipping the resources that cannot be rolled back.`, actions: [{ kind: 'continue-rollback', resourcesToSkip: failedIds('UPDATE_FAILED') }] };
    case 'DELETE_FAILED':
      return { ...base, message: `Deleting ${stackName} failed${why}; delete it again, keeping the resources that could not be deleted.`, actions: [{ kind: 'delete-retaining', retain: failedIds('DELETE_FAILED') }] };
    case 'REVIEW_IN_PROGRESS':
      // The first change set was made but never executed: the app was closed, or the apply refused.
      return { ...base, message: `The install of ${stackName} was planned but never started; nothing was created. Clean it up, then install again from Setup.`, actions: [{ kind: 'delete-and-retry' }] };
    case 'UPDATE_ROLLBACK_COMPLETE':
      return { ...base, message: `The last upgrade of ${stackName} failed and was rolled back${why}; the previous version is running, so fix the cause and plan again.`, actions: [] };
    default:
      if (statusKind(status) === 'in-progress') return { ...base, message: `${stackName} is ${status}; wait for it to finish.`, actions: [{ kind: 'wait' }] };
      return { ...base, message: `${stackName} is ${status}.`, actions: [] };
  }
}

async function listResources(c: DeployClients, stackName: string): Promise<StackResource[]> {
  return (await c.cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
}

export async function inspectStack(c: DeployClients, stackName: string): Promise<StackHealth & { resources: StackResource[] }> {
  const existing = await findStack(c, stackName);
  if (!existing) return { ...diagnose(stackName, 'DELETE_COMPLETE', []), exists: false, message: `There is no stack named ${stackName} in ${c.target.region}.`, resources: [] };
  const resources = statusKind(existing.status) === 'failed' ? await listResources(c, stackName) : [];
  const failed = resources.map((r) => ({ logicalId: r.LogicalResourceId ?? '', status: r.ResourceStatus ?? '' }));
  return { ...diagnose(stackName, existing.status, failed, existing.stack.StackStatusReason), resources };
}

/** UPDATE_ROLLBACK_FAILED → ContinueUpdateRollback, skipping what cannot be rolled back. */
export async function continueRollback(
  c: DeployClients,
  stackName: string,
  resourcesToSkip: string[],
  timing: Timing,
  onMessage?: (m: WatchMessage) => void,
  onStarted?: () => void,
): Promise<WatchResult> {
  const existing = await findStack(c, stackName);
  if (existing?.status !== 'UPDATE_ROLLBACK_FAILED') {
    throw new DeployError(`Stack ${stackName} is ${existing?.status ?? 'missing'}, not UPDATE_ROLLBACK_FAILED: there is no rollback to continue.`);
  }
  const known = await StackEventReader.currentIds(c, stackName);
  await c.cfn.send(new ContinueUpdateRollbackCommand({ StackName: stackName, ...(resourcesToSkip.length ? { ResourcesToSkip: resourcesToSkip } : {}) }));
  onStarted?.();
  return watchStack(c, { stackName, knownEventIds: known, before: { status: existing.status }, onMessage }, timing);
}

/** Issues DeleteStack (retaining `retain` when the stack is DELETE_FAILED) and follows it. */
export async function deleteAndWatch(
  c: DeployClients,
  stackName: string,
  retain: string[],
  timing: Timing,
  onMessage?: (m: WatchMessage) => void,
  onStarted?: () => void,
): Promise<WatchResult> {
  const existing = await findStack(c, stackName);
  if (!existing) {
    onStarted?.();
    return { status: 'DELETE_COMPLETE', ok: true, events: 0 };
  }
  const known = await StackEventReader.currentIds(c, stackName);
  // CloudFormation accepts RetainResources only for a stack in DELETE_FAILED.
  const keep = existing.status === 'DELETE_FAILED' ? retain : [];
  await c.cfn.send(new DeleteStackCommand({ StackName: existing.stack.StackId ?? stackName, ...(keep.length ? { RetainResources: keep } : {}) }));
  onStarted?.();
  return watchStack(c, { stackName, knownEventIds: known, before: { status: existing.status }, onMessage }, timing);
}
