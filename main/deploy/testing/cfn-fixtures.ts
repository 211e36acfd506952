import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';

// Small builders for the CloudFormation answers the engine's tests script.

export const TAGS = [{ Key: 'benchtop:role', Value: 'platform' }];

export function stack(StackName: string, StackStatus: string, extra: Partial<Stack> = {}): Stack {
  return { StackName, StackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${StackName}/1`, StackStatus: StackStatus as Stack['StackStatus'], CreationTime: new Date(0), Tags: TAGS, ...extra };
}

let clock = Date.UTC(2026, 10, 23, 12, 0, 0);

export function event(id: string, logicalId: string, status: string, extra: Partial<StackEvent> = {}): StackEvent {
  clock += 1000;
  return {
    EventId: id,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab-prod/1',
    StackName: 'lab-prod',
    LogicalResourceId: logicalId,
    ResourceType: logicalId === 'lab-prod' ? 'AWS::CloudFormation::Stack' : 'AWS::EC2::Instance',
    ResourceStatus: status as StackEvent['ResourceStatus'],
    Timestamp: new Date(clock),
    ...extra,
  };
}

export function missing(name: string): Error {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}

export const FAST = { pollMs: 0, timeoutMs: 5000 };

export interface Step {
  status: string;
  events: StackEvent[];
}

/**
 * A stack whose life is a script: ExecuteChangeSet (or DeleteStack…) starts it, then each
 * DescribeStackEvents poll reveals the next step. Events page newest first, `pageSize` at a time,
 * and a page boundary repeats one event, as eventual consistency sometimes does.
 */
export class ScriptedStack {
  private revealed: StackEvent[] = [];
  private status: string;
  private next = 0;
  started = false;

  constructor(
    readonly name: string,
    initial: Step,
    private readonly steps: Step[],
    private readonly pageSize = 3,
  ) {
    this.status = initial.status;
    this.revealed = [...initial.events].reverse();
  }

  start(): void {
    this.started = true;
  }

  describe(): Stack {
    return stack(this.name, this.status);
  }

  events(token: string | undefined): { StackEvents: StackEvent[]; NextToken?: string } {
    if (this.started && !token && this.next < this.steps.length) {
      const step = this.steps[this.next++]!;
      this.revealed = [...[...step.events].reverse(), ...this.revealed];
      this.status = step.status;
    }
    const from = token ? Number(token) : 0;
    const page = this.revealed.slice(Math.max(0, from - (from > 0 ? 1 : 0)), from + this.pageSize);
    const end = from + this.pageSize;
    return { StackEvents: page, ...(end < this.revealed.length ? { NextToken: String(end) } : {}) };
  }
}
