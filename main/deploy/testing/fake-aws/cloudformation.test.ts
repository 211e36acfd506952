import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStackResourcesCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../../templates/src/load-template.js';
import { type FakeAws, startFakeAws } from './server.js';

// The fake's CloudFormation keeps the rules the deploy engine relies on: a value the template's
// constraints refuse is a ValidationError before any change set, and only resources and outputs
// whose Condition holds are created.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function cfnClient(): Promise<CloudFormationClient> {
  fake = await startFakeAws({ stepsPerPoll: Infinity });
  return new CloudFormationClient({ region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
}

const template = {
  Parameters: {
    Mode: { Type: 'String', Default: 'small', AllowedValues: ['small', 'large'] },
    Name: { Type: 'String', AllowedPattern: '[a-z][a-z0-9-]*', ConstraintDescription: 'must start with a letter; lower case, digits and "-" only' },
    Count: { Type: 'Number', Default: '1', MinValue: 0, MaxValue: 4 },
  },
  Conditions: { IsLarge: { 'Fn::Equals': [{ Ref: 'Mode' }, 'large'] } },
  Resources: {
    Always: { Type: 'AWS::SNS::Topic' },
    OnlyLarge: { Type: 'AWS::EC2::Volume', Condition: 'IsLarge', Properties: { Size: 100 } },
  },
  Outputs: { Big: { Condition: 'IsLarge', Value: { Ref: 'OnlyLarge' } }, Topic: { Value: { Ref: 'Always' } } },
};

async function createStack(cfn: CloudFormationClient, params: Record<string, string>, body: object = template) {
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: 's1',
      ChangeSetName: 'c1',
      ChangeSetType: 'CREATE',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      TemplateBody: JSON.stringify(body),
      Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }),
  );
  let status: string | undefined;
  for (let i = 0; i < 10 && status !== 'CREATE_COMPLETE'; i++) status = (await cfn.send(new DescribeChangeSetCommand({ StackName: 's1', ChangeSetName: 'c1' }))).Status;
  await cfn.send(new ExecuteChangeSetCommand({ StackName: 's1', ChangeSetName: 'c1' }));
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 's1' }))).Stacks?.[0];
  const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 's1' }))).StackResources ?? [];
  return { status: stack?.StackStatus, outputs: (stack?.Outputs ?? []).map((o) => o.OutputKey), resources: resources.map((r) => r.LogicalResourceId) };
}

describe('fake CloudFormation', () => {
  it('creates only the resources and outputs whose Condition holds', async () => {
    const cfn = await cfnClient();
    const small = await createStack(cfn, { Name: 'lab' });
    expect(small).toEqual({ status: 'CREATE_COMPLETE', outputs: ['Topic'], resources: ['Always'] });
  });

  it('creates the conditional ones when the parameters make the condition true', async () => {
    const cfn = await cfnClient();
    const large = await createStack(cfn, { Name: 'lab', Mode: 'large' });
    expect(large.resources.sort()).toEqual(['Always', 'OnlyLarge']);
    expect(large.outputs.sort()).toEqual(['Big', 'Topic']);
  });

  it('refuses values the constraints reject with the ValidationError CloudFormation answers', async () => {
    const cfn = await cfnClient();
    const refusal = (params: Record<string, string>) => createStack(cfn, params).then(() => 'created', (e: Error) => `${e.name}: ${e.message}`);
    expect(await refusal({})).toBe('ValidationError: Parameters: [Name] must have values');
    expect(await refusal({ Name: 'lab', Mode: 'huge' })).toBe("ValidationError: Parameter 'Mode' must be one of AllowedValues");
    expect(await refusal({ Name: 'Lab_1' })).toBe('ValidationError: Malformed input-Parameter Name must start with a letter; lower case, digits and "-" only');
    expect(await refusal({ Name: 'lab', Count: 'many' })).toBe("ValidationError: Parameter 'Count' must be a number");
    expect(await refusal({ Name: 'lab', Count: '9' })).toBe('ValidationError: Malformed input-Parameter Count must be a number not greater than 4');
  });

  it('deploys the platform template with its defaults without the resources those defaults switch off', async () => {
    const cfn = await cfnClient();
    const platform = loadTemplate('platform');
    const { status, resources } = await createStack(cfn, { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555', ArtifactsBucketName: 'benchtop-artifacts-123456789012', NatMode: 'instance', DomainName: 'bench.lab.example.org', ServicesImageId: 'ami-0a1a1a1a1a1a1a1a1', NatImageId: 'ami-0a1a1a1a1a1a1a1a1', CpuWorkerImageId: 'ami-0b2b2b2b2b2b2b2b2', GpuWorkerImageId: 'ami-0c3c3c3c3c3c3c3c3' }, platform);
    expect(status).toBe('CREATE_COMPLETE');
    expect(resources).toContain('Vpc');
    expect(resources).not.toContain('NatGateway');
    expect(resources.length).toBeLessThan(Object.keys(platform.Resources as object).length);
  });
});
