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
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import type { Deployment } from '../../common/api/settings.contract.js';
import { SettingsStore } from '../settings/settings-store.js';
import { BackgroundOperations } from './background-operations.js';
import { type DeployDeps, type DeploymentPlatformHooks, registerDeploy } from './register-deploy.js';
import { event, FAST, missing, ScriptedStack, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const acm = mockClient(ACMClient);
const sts = mockClient(STSClient);
const target = { region: 'us-east-1' };
const ctx = { transport: 'test' as const };
const ACCOUNT = '123456789012';

function setup(extra: Partial<DeployDeps> = {}) {
  const router = new Router();
  const operations = new BackgroundOperations();
  registerDeploy(router, { timing: FAST, operations, ...extra });
  return { router, operations };
}

/** The researcher plane as the deploy engine sees it, recording what it was asked. */
function recordingPlatforms(services?: string): DeploymentPlatformHooks & { connected: Deployment[]; forgotten: string[] } {
  const connected: Deployment[] = [];
  const forgotten: string[] = [];
  return {
    connected,
    forgotten,
    connect: async (d) => void connected.push(d),
    forget: (id) => void forgotten.push(id),
    agentVersions: async () => (services ? { services } : {}),
  };
}

let dir: string;
beforeEach(() => {
  cfn.reset();
  acm.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/admin` });
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-deploy-api-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

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

  it('saves the deployment before the change set runs, notes how it ended, then connects its platform', async () => {
    const settings = new SettingsStore(dir);
    const platforms = recordingPlatforms();
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [{ status: 'CREATE_COMPLETE', events: [event('b1', 'lab-prod', 'CREATE_COMPLETE')] }]);
    let savedWhenExecuted: Deployment[] = [];
    cfn.on(DescribeStacksCommand).callsFake(() => ({ Stacks: [s.describe()] }));
    cfn.on(DescribeStackEventsCommand).callsFake((i: { NextToken?: string }) => s.events(i.NextToken));
    cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      savedWhenExecuted = settings.listDeployments();
      s.start();
      return {};
    });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' } }] });
    cfn.on(UpdateTerminationProtectionCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
    const { router, operations } = setup({ settings, platforms });
    const r = await router.invoke('deploy:apply', { target: { region: 'us-east-1', profile: 'lab-admin' }, stackName: 'lab-prod', changeSetName: 'benchtop-1' }, ctx);
    expect(r.ok).toBe(true);
    await operations.settle();
    expect(savedWhenExecuted).toMatchObject([{ id: `${ACCOUNT}/us-east-1/lab-prod`, profile: 'lab-admin', accountId: ACCOUNT, lastKnownStatus: 'CREATE_IN_PROGRESS' }]);
    expect(settings.listDeployments()).toMatchObject([{ id: `${ACCOUNT}/us-east-1/lab-prod`, lastKnownStatus: 'CREATE_COMPLETE' }]);
    expect(platforms.connected.map((d) => d.id)).toEqual([`${ACCOUNT}/us-east-1/lab-prod`]);
  });

  it('keeps a failed install saved, and does not connect it', async () => {
    const settings = new SettingsStore(dir);
    const platforms = recordingPlatforms();
    const s = new ScriptedStack('lab-prod', { status: 'REVIEW_IN_PROGRESS', events: [] }, [{ status: 'ROLLBACK_COMPLETE', events: [event('c1', 'lab-prod', 'ROLLBACK_COMPLETE')] }]);
    cfn.on(DescribeStacksCommand).callsFake(() => ({ Stacks: [s.describe()] }));
    cfn.on(DescribeStackEventsCommand).callsFake((i: { NextToken?: string }) => s.events(i.NextToken));
    cfn.on(ExecuteChangeSetCommand).callsFake(() => (s.start(), {}));
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] });
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    const { router, operations } = setup({ settings, platforms });
    expect((await router.invoke('deploy:apply', { target, stackName: 'lab-prod', changeSetName: 'benchtop-1' }, ctx)).ok).toBe(true);
    await operations.settle();
    expect(settings.listDeployments()).toMatchObject([{ lastKnownStatus: 'ROLLBACK_COMPLETE' }]);
    expect(platforms.connected).toEqual([]);
    const status = await router.invoke('deploy:status', { target, stackName: 'lab-prod' }, ctx);
    expect(status).toMatchObject({ ok: true, value: { status: 'ROLLBACK_COMPLETE', actions: [{ kind: 'delete-and-retry' }], deploymentId: `${ACCOUNT}/us-east-1/lab-prod`, operationRunning: false } });
  });

  it('forgets a deployment (and its platform) once its stack is gone, and gives an older entry its account', async () => {
    const settings = new SettingsStore(dir);
    settings.saveDeployment({ name: 'lab-prod', region: 'us-east-1', lastKnownStatus: 'CREATE_COMPLETE' });
    settings.saveDeployment({ name: 'lab-dev', region: 'us-east-1', accountId: ACCOUNT });
    const platforms = recordingPlatforms('0.1.0');
    cfn.on(DescribeStacksCommand, { StackName: 'lab-prod' }).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'StackVersion', OutputValue: '0.1.0' }] })] });
    cfn.on(DescribeStacksCommand, { StackName: 'lab-dev' }).rejects(missing('lab-dev'));
    const { router } = setup({ settings, platforms });
    const prod = await router.invoke('deploy:status', { target, stackName: 'lab-prod' }, ctx);
    expect(prod).toMatchObject({ ok: true, value: { exists: true, deploymentId: `${ACCOUNT}/us-east-1/lab-prod`, forgotten: false, version: { services: '0.1.0', advice: [] } } });
    expect(settings.listDeployments().map((d) => d.id)).toEqual([`${ACCOUNT}/us-east-1/lab-dev`, `${ACCOUNT}/us-east-1/lab-prod`]);
    const dev = await router.invoke('deploy:status', { target, stackName: 'lab-dev' }, ctx);
    expect(dev).toMatchObject({ ok: true, value: { exists: false, forgotten: true } });
    expect(settings.listDeployments().map((d) => d.name)).toEqual(['lab-prod']);
    expect(platforms.forgotten).toEqual([`${ACCOUNT}/us-east-1/lab-dev`]);
    // An older entry without its account is not forgotten on a miss: the profile may sign in elsewhere now.
    settings.saveDeployment({ name: 'lab-old', region: 'us-east-1' });
    cfn.on(DescribeStacksCommand, { StackName: 'lab-old' }).rejects(missing('lab-old'));
    expect(await router.invoke('deploy:status', { target, stackName: 'lab-old' }, ctx)).toMatchObject({ ok: true, value: { exists: false, forgotten: false } });
    expect(settings.listDeployments().map((d) => d.name)).toEqual(['lab-old', 'lab-prod']);
  });

  it('connects the platform of an install that finished while the app was closed, once, when its status is next read', async () => {
    const settings = new SettingsStore(dir);
    settings.saveDeployment({ name: 'lab-prod', region: 'us-east-1', accountId: ACCOUNT, lastKnownStatus: 'CREATE_IN_PROGRESS' });
    const platforms = recordingPlatforms();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'CREATE_COMPLETE')] });
    const { router } = setup({ settings, platforms });
    expect((await router.invoke('deploy:status', { target, stackName: 'lab-prod' }, ctx)).ok).toBe(true);
    expect((await router.invoke('deploy:status', { target, stackName: 'lab-prod' }, ctx)).ok).toBe(true);
    expect(platforms.connected.map((d) => d.id)).toEqual([`${ACCOUNT}/us-east-1/lab-prod`]);
    expect(settings.listDeployments()[0]!.lastKnownStatus).toBe('CREATE_COMPLETE');
  });

  it('refuses to act for a deployment of another account than the profile signs in to', async () => {
    const { router } = setup({ settings: new SettingsStore(dir) });
    const r = await router.invoke('deploy:status', { target: { region: 'us-east-1', profile: 'other', accountId: '210987654321' }, stackName: 'lab-prod' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(`signs in to account ${ACCOUNT}, but lab-prod was installed in account 210987654321`) } });
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('refuses to plan over a stack newer than this app, saying which to upgrade', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'StackVersion', OutputValue: '99.0.0' }] })] });
    const { router } = setup();
    const plan = await router.invoke('deploy:plan', { target, stackName: 'lab-prod', params: {} }, ctx);
    expect(plan).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('runs stack version 99.0.0, newer than'), fix: 'Upgrade Benchtop to 99.0.0 or newer, then plan again.' } });
    const status = await router.invoke('deploy:status', { target, stackName: 'lab-prod' }, ctx);
    expect(status).toMatchObject({ ok: true, value: { version: { downgrade: true, updateAvailable: false, advice: [{ upgrade: 'app' }] } } });
  });
});
