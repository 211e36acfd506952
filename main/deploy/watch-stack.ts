import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { isStackMissing } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { StackEventReader, type StackEventView } from './stack-events.js';
import { isFinal, isResourceDone, isSuccess } from '../../common/deploy/stack-status.js';
import { sleep } from '../../lib/retry.js';
import { deadline, type Timing } from './timing.js';

export type WatchMessage =
  | { type: 'event'; event: StackEventView }
  | { type: 'progress'; done: number; total: number; status: string }
  | { type: 'final'; status: string; ok: boolean; reason?: string };

export interface WatchResult {
  status: string;
  ok: boolean;
  /** The first failure's reason, not the "cancelled" ones that follow it. */
  reason?: string;
  events: number;
}

export interface WatchOptions {
  stackName: string;
  /** Resources the plan touches; unknown when re-attaching (then: resources seen so far). */
  planned?: number;
  /** Event ids from before the operation this watch follows; absent = re-attach to the current one. */
  knownEventIds?: string[];
  /** The stack as it was before ExecuteChangeSet, so a not-yet-started operation is not mistaken for a finished one. */
  before?: { status?: string; lastUpdated?: string };
  onMessage?: (m: WatchMessage) => void;
}

async function describe(c: DeployClients, stackId: string): Promise<Stack | undefined> {
  try {
    return (await c.cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
  } catch (e) {
    if (isStackMissing(e)) return undefined;
    throw e;
  }
}

const CANCELLED = /cancel/i;

function report0(emit: (m: WatchMessage) => void): void {
  emit({ type: 'progress', done: 0, total: 0, status: 'DELETE_COMPLETE' });
  emit({ type: 'final', status: 'DELETE_COMPLETE', ok: true });
}

export function firstFailureReason(events: StackEventView[]): string | undefined {
  const failed = events.filter((e) => e.status.endsWith('_FAILED') && e.reason);
  const real = failed.find((e) => !CANCELLED.test(e.reason!)) ?? failed[0];
  return real ? `${real.logicalId}: ${real.reason}` : undefined;
}

/**
 * Follows a stack until it reaches a final status, emitting each new event once and the progress
 * (resources finished / resources planned). Copes with endpoints that finish instantly or emit
 * only stack-level events. With no `knownEventIds`, re-attaches to the operation in progress.
 */
export async function watchStack(c: DeployClients, options: WatchOptions, timing: Timing): Promise<WatchResult> {
  const emit = options.onMessage ?? (() => undefined);
  const root = await describe(c, options.stackName);
  if (!root && !options.knownEventIds) {
    // Re-attaching to a stack that no longer exists (its delete finished before we looked):
    // there is nothing to follow, and its events can no longer be read by name.
    report0(emit);
    return { status: 'DELETE_COMPLETE', ok: true, events: 0 };
  }
  const rootId = root?.StackId ?? options.stackName;
  const rootName = root?.StackName ?? options.stackName;
  const readers: StackEventReader[] = [
    new StackEventReader(c, rootId, false, options.knownEventIds ? { kind: 'after', seen: options.knownEventIds } : { kind: 'current-operation' }),
  ];
  const nestedIds = new Set<string>();
  const history: StackEventView[] = [];
  const latest = new Map<string, string>();
  let sawProgress = !options.before;
  let lastProgress = '';
  const expired = deadline(timing);

  const report = (status: string, finished: boolean) => {
    const total = Math.max(options.planned ?? 0, latest.size);
    const done = finished && isSuccess(status) ? total : [...latest.values()].filter(isResourceDone).length;
    const key = `${done}/${total}/${status}`;
    if (key !== lastProgress) {
      lastProgress = key;
      emit({ type: 'progress', done: Math.min(done, total), total, status });
    }
  };

  const readEvents = async () => {
    for (const reader of [...readers]) {
      for (const event of await reader.fetchNew()) {
        history.push(event);
        emit({ type: 'event', event });
        const isRootStack = !event.nested && event.logicalId === rootName;
        if (isRootStack) {
          if (!isFinal(event.status)) sawProgress = true;
          continue;
        }
        if (!event.nested) latest.set(event.logicalId, event.status);
        // A nested stack's own events come from its own id; follow it as soon as it appears.
        if (event.resourceType === 'AWS::CloudFormation::Stack' && event.physicalId?.startsWith('arn:') && !nestedIds.has(event.physicalId)) {
          nestedIds.add(event.physicalId);
          readers.push(new StackEventReader(c, event.physicalId, true, { kind: 'current-operation' }));
        }
      }
    }
  };

  for (let polls = 0; ; polls++) {
    await readEvents();
    const stack = await describe(c, rootId);
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
    if (!isFinal(status)) sawProgress = true;
    const changed =
      options.before !== undefined &&
      (status !== options.before.status || (stack?.LastUpdatedTime?.toISOString() ?? '') !== (options.before.lastUpdated ?? ''));
    // An endpoint may not have started the operation yet when we first look; a few polls of
    // grace cover an emulator that changes nothing observable for a no-op update.
    // Right after ExecuteChangeSet, AWS may still show REVIEW_IN_PROGRESS for a moment: a new stack
    // with only a change set is not finished until it stays there.
    const settled = status !== 'REVIEW_IN_PROGRESS' || polls >= 5;
    if (isFinal(status) && settled && (sawProgress || changed || polls >= 5)) {
      await readEvents();
      report(status, true);
      const ok = isSuccess(status);
      const reason = ok ? undefined : (firstFailureReason(history) ?? stack?.StackStatusReason ?? undefined);
      emit({ type: 'final', status, ok, ...(reason ? { reason } : {}) });
      return { status, ok, ...(reason ? { reason } : {}), events: history.length };
    }
    report(status, false);
    if (expired()) throw new DeployError(`Stack ${options.stackName} was still ${status} when the wait ran out.`, `Follow it with "benchtop status --stack ${options.stackName}".`, status);
    await sleep(timing.pollMs, timing.signal);
  }
}
