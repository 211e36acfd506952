import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  SetStackPolicyCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from './apply.js';
import { createDeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import type { Plan } from './plan.js';
import { event, FAST, ScriptedStack, stack } from './testing/cfn-fixtures.js';
import { type WatchMessage, watchStack } from './watch-stack.js';

const cfn = mockClient(CloudFormationClient);
const c = () => createDeployClients({ region: 'eu-west-1' });

function wire(s: ScriptedStack): void {
  cfn.on(DescribeStacksCommand).callsFake(() => ({ Stacks: [s.describe()] }));
  cfn.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => s.events(input.NextToken));
  cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    s.start();
    return {};
  });
}

const change = (logicalId: string, extra: Partial<Plan['changes'][number]> = {}) => ({ action: 'Add', logicalId, resourceType: 'AWS::EC2::Instance', stateful: false, destroysData: false, ...extra });
const plan = (type: 'CREATE' | 'UPDATE', ids: string[], extra: Partial<Plan> = {}): Plan => ({
  stackName: 'lab-prod',
  type,
  changeSetName: 'benchtop-1',
  noChanges: false,
  changes: ids.map((id) => change(id)),
  dataRisks: [],
  diff: '',
  ...extra,
});

beforeEach(() => {
  cfn.reset();
  cfn.on(SetStackPolicyCommand).resolves({});
  cfn.on(UpdateTerminationProtectionCommand).resolves({});
});

describe('apply', () => {
  it('creates: streams each event once across pages, reports progress to 100 %, then turns the guard rails on', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [event('r0', 'lab-prod', 'REVIEW_IN_PROGRESS')] }, [
      { status: 'CREATE_IN_PROGRESS', events: [event('e1', 'lab-prod', 'CREATE_IN_PROGRESS', { ResourceStatusReason: 'User Initiated' }), event('e2', 'A', 'CREATE_IN_PROGRESS'), event('e3', 'B', 'CREATE_IN_PROGRESS')] },
      { status: 'CREATE_IN_PROGRESS', events: [event('e4', 'A', 'CREATE_COMPLETE'), event('e5', 'C', 'CREATE_IN_PROGRESS')] },
      { status: 'CREATE_IN_PROGRESS', events: [event('e6', 'B', 'CREATE_COMPLETE'), event('e7', 'C', 'CREATE_COMPLETE')] },
      { status: 'CREATE_COMPLETE', events: [event('e8', 'lab-prod', 'CREATE_COMPLETE')] },
    ]);
    wire(s);
    const messages: WatchMessage[] = [];
    const result = await applyPlan(c(), plan('CREATE', ['A', 'B', 'C']), { guardRails: true, onMessage: (m) => messages.push(m) }, FAST);
    expect(result).toMatchObject({ status: 'CREATE_COMPLETE', ok: true });
    const ids = messages.flatMap((m) => (m.type === 'event' ? [m.event.id] : []));
    expect(ids).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
    const progress = messages.filter((m) => m.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3, status: 'CREATE_COMPLETE' });
    expect(progress.some((p) => p.type === 'progress' && p.done === 1)).toBe(true);
    expect(messages.at(-1)).toEqual({ type: 'final', status: 'CREATE_COMPLETE', ok: true });
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input.EnableTerminationProtection).toBe(true);
    const policy = JSON.parse(cfn.commandCalls(SetStackPolicyCommand)[0]!.args[0].input.StackPolicyBody!);
    expect(policy.Statement[1]).toMatchObject({ Effect: 'Deny', Action: ['Update:Replace', 'Update:Delete'] });
  });

  it('shows the first failure, not the cancellations after it, when an install rolls back', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [
      {
        status: 'ROLLBACK_IN_PROGRESS',
        events: [
          event('f1', 'lab-prod', 'CREATE_IN_PROGRESS'),
          event('f2', 'Gpu', 'CREATE_FAILED', { ResourceStatusReason: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows' }),
          event('f3', 'Files', 'CREATE_FAILED', { ResourceStatusReason: 'Resource creation cancelled' }),
          event('f4', 'lab-prod', 'ROLLBACK_IN_PROGRESS', { ResourceStatusReason: 'The following resource(s) failed to create: [Files, Gpu].' }),
        ],
      },
      { status: 'ROLLBACK_COMPLETE', events: [event('f5', 'lab-prod', 'ROLLBACK_COMPLETE')] },
    ]);
    wire(s);
    const result = await applyPlan(c(), plan('CREATE', ['Gpu', 'Files']), { guardRails: true }, FAST);
    expect(result).toMatchObject({ ok: false, status: 'ROLLBACK_COMPLETE' });
    expect(result.reason).toBe('Gpu: You have requested more vCPU capacity than your current vCPU limit of 0 allows');
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });

  it('copes with an emulator that finishes at once and emits only stack-level events', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [{ status: 'CREATE_COMPLETE', events: [event('s1', 'lab-prod', 'CREATE_COMPLETE')] }]);
    wire(s);
    const messages: WatchMessage[] = [];
    const result = await applyPlan(c(), plan('CREATE', ['A', 'B']), { guardRails: true, onMessage: (m) => messages.push(m) }, FAST);
    expect(result.ok).toBe(true);
    expect(messages.filter((m) => m.type === 'progress').at(-1)).toMatchObject({ done: 2, total: 2 });
  });

  it('waits out a new stack that still shows REVIEW_IN_PROGRESS right after ExecuteChangeSet', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [
      { status: 'REVIEW_IN_PROGRESS', events: [] },
      { status: 'CREATE_IN_PROGRESS', events: [event('w1', 'lab-prod', 'CREATE_IN_PROGRESS')] },
      { status: 'CREATE_COMPLETE', events: [event('w2', 'lab-prod', 'CREATE_COMPLETE')] },
    ]);
    s.start();
    wire(s);
    expect(await watchStack(c(), { stackName: 'lab-prod' }, FAST)).toMatchObject({ status: 'CREATE_COMPLETE', ok: true });
  });

  it('does not end before an update has started when the endpoint still shows the old status', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'UPDATE_COMPLETE', events: [event('o1', 'lab-prod', 'UPDATE_COMPLETE')] }, [
      { status: 'UPDATE_COMPLETE', events: [] },
      { status: 'UPDATE_IN_PROGRESS', events: [event('u1', 'lab-prod', 'UPDATE_IN_PROGRESS'), event('u2', 'A', 'UPDATE_IN_PROGRESS')] },
      { status: 'UPDATE_COMPLETE', events: [event('u3', 'A', 'UPDATE_COMPLETE'), event('u4', 'lab-prod', 'UPDATE_COMPLETE')] },
    ]);
    wire(s);
    const result = await applyPlan(c(), plan('UPDATE', ['A']), { guardRails: true }, FAST);
    expect(result).toMatchObject({ ok: true, events: 4 });
  });

  it('blocks a plan that replaces data until the stack name is typed, then lifts and restores the stack policy', async () => {
    const risky = plan('UPDATE', ['DataVolume'], { dataRisks: [change('DataVolume', { resourceType: 'AWS::EC2::Volume', action: 'Modify', replacement: 'True', stateful: true, destroysData: true })] });
    await expect(applyPlan(c(), risky, { guardRails: true }, FAST)).rejects.toBeInstanceOf(DeployError);
    await expect(applyPlan(c(), risky, { guardRails: true, confirmDataLoss: 'lab-dev' }, FAST)).rejects.toThrow(/DataVolume/);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    wire(new ScriptedStack('lab-prod', { status: 'UPDATE_COMPLETE', events: [] }, [{ status: 'UPDATE_COMPLETE', events: [event('v1', 'lab-prod', 'UPDATE_IN_PROGRESS'), event('v2', 'lab-prod', 'UPDATE_COMPLETE')] }]));
    const result = await applyPlan(c(), risky, { guardRails: true, confirmDataLoss: 'lab-prod' }, FAST);
    expect(result.ok).toBe(true);
    const policies = cfn.commandCalls(SetStackPolicyCommand).map((call) => JSON.parse(call.args[0].input.StackPolicyBody!).Statement.length);
    expect(policies).toEqual([1, 2]);
  });

  it('treats a plan without changes as done without touching the stack', async () => {
    const result = await applyPlan(c(), { ...plan('UPDATE', []), noChanges: true, changeSetName: undefined }, { guardRails: true }, FAST);
    expect(result).toEqual({ status: 'NO_CHANGES', ok: true, events: 0 });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});

describe('watch', () => {
  it('re-attaches to a stack in progress: replays only the current operation, then follows it to the end', async () => {
    const s = new ScriptedStack(
      'lab-prod',
      {
        status: 'UPDATE_IN_PROGRESS',
        events: [
          event('old1', 'lab-prod', 'CREATE_IN_PROGRESS'),
          event('old2', 'A', 'CREATE_COMPLETE'),
          event('old3', 'lab-prod', 'CREATE_COMPLETE'),
          event('n1', 'lab-prod', 'UPDATE_IN_PROGRESS'),
          event('n2', 'A', 'UPDATE_IN_PROGRESS'),
        ],
      },
      [{ status: 'UPDATE_COMPLETE', events: [event('n3', 'A', 'UPDATE_COMPLETE'), event('n4', 'lab-prod', 'UPDATE_COMPLETE')] }],
    );
    s.start();
    wire(s);
    const messages: WatchMessage[] = [];
    const result = await watchStack(c(), { stackName: 'lab-prod', onMessage: (m) => messages.push(m) }, FAST);
    expect(result.ok).toBe(true);
    expect(messages.flatMap((m) => (m.type === 'event' ? [m.event.id] : []))).toEqual(['n1', 'n2', 'n3', 'n4']);
  });

  it('follows a nested stack by its own id and labels its events', async () => {
    const nestedArn = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab-prod-Network-X/2';
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [
      { status: 'CREATE_IN_PROGRESS', events: [event('p1', 'lab-prod', 'CREATE_IN_PROGRESS'), event('p2', 'Network', 'CREATE_IN_PROGRESS', { ResourceType: 'AWS::CloudFormation::Stack', PhysicalResourceId: nestedArn })] },
      { status: 'CREATE_COMPLETE', events: [event('p3', 'Network', 'CREATE_COMPLETE', { ResourceType: 'AWS::CloudFormation::Stack', PhysicalResourceId: nestedArn }), event('p4', 'lab-prod', 'CREATE_COMPLETE')] },
    ]);
    s.start();
    wire(s);
    const nested = [
      event('x2', 'Vpc', 'CREATE_COMPLETE', { StackName: 'lab-prod-Network-X' }),
      event('x1', 'lab-prod-Network-X', 'CREATE_IN_PROGRESS', { StackName: 'lab-prod-Network-X', ResourceType: 'AWS::CloudFormation::Stack' }),
    ];
    cfn.on(DescribeStackEventsCommand, { StackName: nestedArn }).resolves({ StackEvents: nested });
    const messages: WatchMessage[] = [];
    await watchStack(c(), { stackName: 'lab-prod', planned: 1, knownEventIds: [], onMessage: (m) => messages.push(m) }, FAST);
    const nestedEvents = messages.flatMap((m) => (m.type === 'event' && m.event.nested ? [m.event.id] : []));
    expect(nestedEvents).toEqual(['x1', 'x2']);
    expect(messages.filter((m) => m.type === 'progress').at(-1)).toMatchObject({ done: 1, total: 1 });
  });

  it('ends a deleted stack as DELETE_COMPLETE when DescribeStacks no longer knows it', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'DELETE_IN_PROGRESS')] }).rejects(Object.assign(new Error('Stack with id lab-prod does not exist'), { name: 'ValidationError' }));
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    expect(await watchStack(c(), { stackName: 'lab-prod' }, FAST)).toMatchObject({ status: 'DELETE_COMPLETE', ok: true });
  });
});
