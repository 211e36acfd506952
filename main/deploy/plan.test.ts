import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../templates/src/load-template.js';
import { createDeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { createPlan } from './plan.js';
import { FAST, missing, stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const c = () => createDeployClients({ region: 'eu-west-1' });

const OLD = `Parameters:
  DataVolumeSizeGiB: { Type: Number, Default: 100 }
  NatMode: { Type: String, Default: instance }
Resources:
  DataVolume:
    Type: AWS::EC2::Volume
    Properties: { Size: !Ref DataVolumeSizeGiB, AvailabilityZone: eu-west-1a }
`;
const NEW = OLD.replace('AvailabilityZone: eu-west-1a', 'AvailabilityZone: eu-west-1b') + `  Topic:
    Type: AWS::SNS::Topic
`;
const input = { stackName: 'lab-prod', templateUrl: 'https://b.s3.eu-west-1.amazonaws.com/t.yaml', template: parseTemplate(NEW), parameters: { DataVolumeSizeGiB: '200' }, role: 'platform' };

const addTopic = { Type: 'Resource' as const, ResourceChange: { Action: 'Add' as const, LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' } };
const replaceVolume = {
  Type: 'Resource' as const,
  ResourceChange: { Action: 'Modify' as const, LogicalResourceId: 'DataVolume', ResourceType: 'AWS::EC2::Volume', PhysicalResourceId: 'vol-1', Replacement: 'True' as const },
};

beforeEach(() => {
  cfn.reset();
  cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs-1' });
  cfn.on(DeleteChangeSetCommand).resolves({});
});

describe('plan', () => {
  it('creates a CREATE change set for a new stack, waits for it and reads every page', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing('lab-prod'));
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_PENDING' })
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', ChangeSetId: 'cs-1', Changes: [addTopic], NextToken: 'n2' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'DataVolume', ResourceType: 'AWS::EC2::Volume' } }] });
    const plan = await createPlan(c(), input, FAST);
    const call = cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ StackName: 'lab-prod', ChangeSetType: 'CREATE', Capabilities: ['CAPABILITY_NAMED_IAM'], TemplateURL: input.templateUrl });
    expect(call.ClientToken).toBe(call.ChangeSetName);
    expect(call.Parameters).toEqual([{ ParameterKey: 'DataVolumeSizeGiB', ParameterValue: '200' }]);
    expect(plan).toMatchObject({ type: 'CREATE', noChanges: false, changeSetId: 'cs-1' });
    expect(plan.changes.map((ch) => ch.logicalId)).toEqual(['Topic', 'DataVolume']);
    expect(plan.dataRisks).toEqual([]);
    expect(plan.diff).toBe('[+] AWS::SNS::Topic Topic\n[+] AWS::EC2::Volume DataVolume');
  });

  it('updates with previous values kept, a diff of both templates and the data volume replacement flagged', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE', { Parameters: [{ ParameterKey: 'DataVolumeSizeGiB' }, { ParameterKey: 'NatMode' }, { ParameterKey: 'Gone' }] })] });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: [addTopic, replaceVolume] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: OLD });
    const plan = await createPlan(c(), input, FAST);
    const call = cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(call.ChangeSetType).toBe('UPDATE');
    expect(call.Parameters).toEqual([
      { ParameterKey: 'DataVolumeSizeGiB', ParameterValue: '200' },
      { ParameterKey: 'NatMode', UsePreviousValue: true },
    ]);
    expect(plan.dataRisks.map((r) => r.logicalId)).toEqual(['DataVolume']);
    expect(plan.diff).toMatch(/\[\+\] AWS::SNS::Topic Topic/);
    expect(plan.diff).toMatch(/AvailabilityZone/);
  });

  it('flags a Conditional replacement and a removal of a bucket, but not of a topic', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Files', ResourceType: 'AWS::EFS::FileSystem', Replacement: 'Conditional' } },
        { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'Results', ResourceType: 'AWS::S3::Bucket' } },
        { Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' } },
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Vault', ResourceType: 'AWS::Backup::BackupVault', Replacement: 'False' } },
      ],
    });
    cfn.on(GetTemplateCommand).rejects(new Error('no template'));
    const plan = await createPlan(c(), { ...input, template: undefined }, FAST);
    expect(plan.dataRisks.map((r) => r.logicalId)).toEqual(['Files', 'Results']);
    expect(plan.diff).toContain('[~] AWS::EFS::FileSystem Files (may be replaced) ⚠ DATA LOSS');
  });

  it('reads a FAILED change set that "didn\'t contain changes" as no changes, and deletes it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set." });
    const plan = await createPlan(c(), input, FAST);
    expect(plan).toMatchObject({ noChanges: true, changes: [] });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('reads a refused CreateChangeSet ("No updates are to be performed.") as no changes', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
    expect(await createPlan(c(), input, FAST)).toMatchObject({ noChanges: true });
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(0);
  });

  it('reports a failed change set with its reason and cleans it up', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing('lab-prod'));
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: 'Parameters: [Bogus] do not exist in the template' });
    const error = await createPlan(c(), input, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).message).toContain('[Bogus] do not exist');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('refuses to plan over a rolled-back install and says to delete it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod', 'ROLLBACK_COMPLETE')] });
    await expect(createPlan(c(), input, FAST)).rejects.toMatchObject({ fix: expect.stringContaining('benchtop delete') });
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});
