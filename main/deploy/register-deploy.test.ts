import { ACMClient, ListCertificatesCommand } from '@aws-sdk/client-acm';
import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  SetStackPolicyCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import { BackgroundOperations } from './background-operations.js';
import { registerDeploy } from './register-deploy.js';
import { event, FAST, ScriptedStack, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const acm = mockClient(ACMClient);
const target = { region: 'us-east-1' };
const ctx = { transport: 'test' as const };

function setup() {
  const router = new Router();
  const operations = new BackgroundOperations();
  registerDeploy(router, { timing: FAST, operations });
  return { router, operations };
}

beforeEach(() => {
  cfn.reset();
  acm.reset();
});

describe('deploy API', () => {
  it('describes the template for the wizard: version, defaults and allowed values', async () => {
    const { router } = setup();
    const r = await router.invoke('deploy:get-template', {}, ctx);
    expect(r.ok).toBe(true);
    const v = (r as { value: { stackVersion: string; defaults: Record<string, string>; allowed: Record<string, string[]> } }).value;
    expect(v.stackVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.allowed.NatMode).toEqual(['gateway', 'instance', 'none']);
    expect(v.defaults.BackupRetentionDays).toBe('14');
  });

  it('prices the template\'s instance types for the region', async () => {
    const { router } = setup();
    const r = (await router.invoke('deploy:list-instance-types-with-prices', { target }, ctx)) as { ok: true; value: { types: { instanceType: string; hourlyUsd?: number }[] } };
    expect(r.value.types.find((t) => t.instanceType === 'g5.xlarge')?.hourlyUsd).toBeGreaterThan(0);
  });

  it('lists ACM certificates across pages', async () => {
    acm
      .on(ListCertificatesCommand)
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: 'arn:1', DomainName: 'a.example.org', Status: 'ISSUED' }], NextToken: 't' })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: 'arn:2', DomainName: 'b.example.org', Status: 'PENDING_VALIDATION', InUse: true }] });
    const { router } = setup();
    const r = (await router.invoke('deploy:list-certificates', { target }, ctx)) as { ok: true; value: { certificates: unknown[] } };
    expect(r.value.certificates).toEqual([
      { arn: 'arn:1', domainName: 'a.example.org', status: 'ISSUED', inUse: false },
      { arn: 'arn:2', domainName: 'b.example.org', status: 'PENDING_VALIDATION', inUse: true },
    ]);
  });

  it('refuses a delete whose confirmation is not the stack name, naming the fix', async () => {
    const { router } = setup();
    const r = await router.invoke('deploy:delete', { target, stackName: 'lab-prod', confirm: 'lab', deleteData: false }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-input', fix: expect.stringContaining('lab-prod') } });
  });

  it('refuses to apply a plan that destroys data without the typed name', async () => {
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'ResultsBucket', ResourceType: 'AWS::S3::Bucket' } }],
    });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    const { router } = setup();
    const r = await router.invoke('deploy:apply', { target, stackName: 'lab-prod', changeSetName: 'benchtop-1' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('ResultsBucket') } });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('answers apply once the change set executes, and the watch stream follows the stack to its end', async () => {
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [
      { status: 'CREATE_IN_PROGRESS', events: [event('a1', 'lab-prod', 'CREATE_IN_PROGRESS'), event('a2', 'Topic', 'CREATE_IN_PROGRESS')] },
      { status: 'CREATE_COMPLETE', events: [event('a3', 'Topic', 'CREATE_COMPLETE'), event('a4', 'lab-prod', 'CREATE_COMPLETE')] },
    ]);
    cfn.on(DescribeStacksCommand).callsFake(() => ({ Stacks: [s.describe()] }));
    cfn.on(DescribeStackEventsCommand).callsFake((i: { NextToken?: string }) => s.events(i.NextToken));
    cfn.on(ExecuteChangeSetCommand).callsFake(() => (s.start(), {}));
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' } }] });
    cfn.on(SetStackPolicyCommand).resolves({});
    cfn.on(UpdateTerminationProtectionCommand).resolves({});
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    const { router, operations } = setup();
    const r = await router.invoke('deploy:apply', { target, stackName: 'lab-prod', changeSetName: 'benchtop-1' }, ctx);
    expect(r).toEqual({ ok: true, value: { started: true, stackName: 'lab-prod' } });
    await operations.settle();

    const messages: { type: string; ok?: boolean }[] = [];
    const done = new Promise<void>((resolve) => {
      const sub = router.subscribe('deploy:watch-stack', { target, stackName: 'lab-prod' }, (m) => {
        messages.push(m as { type: string });
        if ((m as { type: string }).type === 'final') resolve();
      });
      expect(sub.ok).toBe(true);
    });
    await done;
    expect(messages.at(-1)).toEqual({ type: 'final', status: 'CREATE_COMPLETE', ok: true });
    expect(messages.filter((m) => m.type === 'event')).toHaveLength(4);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(1);
  });
});
