import {
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDeployClients } from './deploy-clients.js';
import { continueRollback, deleteAndWatch, diagnose, inspectStack } from './recovery.js';
import { FAST, missing, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const c = () => createDeployClients({ region: 'eu-west-1' });

beforeEach(() => {
  cfn.reset();
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
});

describe('diagnose', () => {
  it('offers delete and retry after a rolled-back install', () => {
    expect(diagnose('lab-prod', 'ROLLBACK_COMPLETE', [], 'Gpu: quota').actions).toEqual([{ kind: 'delete-and-retry' }]);
  });
  it('offers to continue a failed update rollback, skipping what failed', () => {
    const h = diagnose('lab-prod', 'UPDATE_ROLLBACK_FAILED', [
      { logicalId: 'Workers', status: 'UPDATE_FAILED' },
      { logicalId: 'Topic', status: 'UPDATE_COMPLETE' },
    ]);
    expect(h.actions).toEqual([{ kind: 'continue-rollback', resourcesToSkip: ['Workers'] }]);
  });
  it('offers to delete again, retaining what could not be deleted', () => {
    expect(diagnose('lab-prod', 'DELETE_FAILED', [{ logicalId: 'Results', status: 'DELETE_FAILED' }]).actions).toEqual([{ kind: 'delete-retaining', retain: ['Results'] }]);
  });
  it('offers to clean up an install that was planned but never applied (the app closed in between)', () => {
    const h = diagnose('lab-prod', 'REVIEW_IN_PROGRESS', []);
    expect(h.actions).toEqual([{ kind: 'delete-and-retry' }]);
    expect(h.message).toContain('planned but never started');
  });
  it('says to wait while in progress and nothing for a healthy stack', () => {
    expect(diagnose('lab-prod', 'UPDATE_IN_PROGRESS', []).actions).toEqual([{ kind: 'wait' }]);
    expect(diagnose('lab-prod', 'UPDATE_COMPLETE', []).actions).toEqual([]);
  });
});

describe('recovery against the stack', () => {
  it('inspects a failed stack with its resources', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED', { StackStatusReason: 'Workers failed' })] });
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [{ LogicalResourceId: 'Workers', ResourceStatus: 'UPDATE_FAILED', ResourceType: 'AWS::AutoScaling::AutoScalingGroup', Timestamp: new Date() }] });
    const h = await inspectStack(c(), 'lab-prod');
    expect(h.actions).toEqual([{ kind: 'continue-rollback', resourcesToSkip: ['Workers'] }]);
    expect(h.message).toContain('Workers failed');
  });

  it('continues an update rollback with resources to skip and follows it', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_FAILED')] }).resolves({ Stacks: [stack('lab-prod', 'UPDATE_ROLLBACK_COMPLETE')] });
    cfn.on(ContinueUpdateRollbackCommand).resolves({});
    const result = await continueRollback(c(), 'lab-prod', ['Workers'], FAST);
    expect(cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input.ResourcesToSkip).toEqual(['Workers']);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('refuses to continue a rollback that is not stuck', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    await expect(continueRollback(c(), 'lab-prod', [], FAST)).rejects.toThrow(/not UPDATE_ROLLBACK_FAILED/);
  });

  it('deletes a DELETE_FAILED stack retaining the resources named', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'DELETE_FAILED')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'DELETE_FAILED')] }).resolves({ Stacks: [stack('lab-prod', 'DELETE_COMPLETE')] });
    cfn.on(DeleteStackCommand).resolves({});
    const result = await deleteAndWatch(c(), 'lab-prod', ['Results'], FAST);
    expect(cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.RetainResources).toEqual(['Results']);
    expect(result.ok).toBe(true);
  });

  it('deletes a rolled-back install without RetainResources (CloudFormation refuses them there)', async () => {
    cfn.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('lab-prod', 'ROLLBACK_COMPLETE')] }).resolvesOnce({ Stacks: [stack('lab-prod', 'ROLLBACK_COMPLETE')] }).rejects(missing('lab-prod'));
    cfn.on(DeleteStackCommand).resolves({});
    expect((await deleteAndWatch(c(), 'lab-prod', ['X'], FAST)).status).toBe('DELETE_COMPLETE');
    expect(cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input.RetainResources).toBeUndefined();
  });
});
