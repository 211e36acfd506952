import { DescribeStackEventsCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import type { DeployClients } from './deploy-clients.js';

export interface StackEventView {
  id: string;
  /** The stack the event belongs to: the root stack's name, or a nested stack's name. */
  stackName: string;
  nested: boolean;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
  timestamp: string;
  physicalId?: string;
}

const OPERATION_START = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'IMPORT_IN_PROGRESS']);

function view(e: StackEvent, nested: boolean): StackEventView {
  return {
    id: e.EventId!,
    stackName: e.StackName ?? '',
    nested,
    logicalId: e.LogicalResourceId ?? '',
    resourceType: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    ...(e.ResourceStatusReason ? { reason: e.ResourceStatusReason } : {}),
    timestamp: (e.Timestamp ?? new Date(0)).toISOString(),
    ...(e.PhysicalResourceId ? { physicalId: e.PhysicalResourceId } : {}),
  };
}

/** The event that opened an operation on the stack itself (not one of its resources). */
export function isOperationStart(e: { logicalId: string; stackName: string; resourceType: string; status: string }): boolean {
  return e.resourceType === 'AWS::CloudFormation::Stack' && e.logicalId === e.stackName && OPERATION_START.has(e.status);
}

/**
 * Reads one stack's events incrementally. DescribeStackEvents pages newest first, so paging stops
 * at the first event already seen; every event is delivered once (deduplicated by EventId).
 */
export class StackEventReader {
  private readonly seen = new Set<string>();
  private started: boolean;

  /**
   * `from: 'current-operation'` replays the operation in progress (re-attaching after a restart);
   * `from: 'after'` with the ids known before an ExecuteChangeSet delivers only what follows it.
   */
  constructor(
    private readonly c: DeployClients,
    readonly stackId: string,
    readonly nested: boolean,
    from: { kind: 'current-operation' } | { kind: 'after'; seen: Iterable<string> },
  ) {
    this.started = from.kind === 'after';
    if (from.kind === 'after') for (const id of from.seen) this.seen.add(id);
  }

  async fetchNew(maxPages = 50): Promise<StackEventView[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    let reachedSeen = false;
    for (let page = 0; page < maxPages && !reachedSeen; page++) {
      const out = await this.c.cfn.send(new DescribeStackEventsCommand({ StackName: this.stackId, NextToken: token }));
      for (const e of out.StackEvents ?? []) {
        if (!e.EventId) continue;
        if (this.seen.has(e.EventId)) {
          reachedSeen = true;
          break;
        }
        // Pages can overlap while new events arrive between two calls.
        if (fresh.some((f) => f.EventId === e.EventId)) continue;
        fresh.push(e);
      }
      token = out.NextToken;
      if (!token) break;
      if (!this.started && fresh.some((e) => isOperationStart(view(e, this.nested)))) break;
    }
    // The API answers newest first; reversed, ties keep CloudFormation's own order.
    const ordered = fresh.reverse().map((e) => view(e, this.nested));
    for (const e of ordered) this.seen.add(e.id);
    if (this.started) return ordered;
    // First read when re-attaching: keep only the current operation, from its opening event on.
    const startAt = ordered.map((e, i) => (isOperationStart(e) ? i : -1)).filter((i) => i >= 0).pop();
    this.started = true;
    return startAt === undefined ? [] : ordered.slice(startAt);
  }

  /** The ids on the first page now: what an ExecuteChangeSet's watch should not replay. */
  static async currentIds(c: DeployClients, stackName: string): Promise<string[]> {
    try {
      const out = await c.cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
      return (out.StackEvents ?? []).map((e) => e.EventId!).filter(Boolean);
    } catch {
      return [];
    }
  }
}
