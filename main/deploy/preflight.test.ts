import { DescribeCertificateCommand, ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetEbsDefaultKmsKeyIdCommand,
} from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeployClients } from './deploy-clients.js';
import { P } from '../../common/deploy/platform-parameters.js';
import { runPreflight } from './preflight.js';
import { EBS_KEY_POLICY_URL, GPU_QUOTA_URL, GPU_SPOT_QUOTA_CODE, GPU_SPOT_QUOTA_URL } from './preflight-aws.js';

const region = 'eu-west-1';
const CERT = `arn:aws:acm:${region}:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc`;
const params = {
  [P.vpcCidr]: '10.20.0.0/16',
  [P.natMode]: 'instance',
  [P.natInstanceType]: 't4g.nano',
  [P.alarmEmail]: 'pi@lab.example.org',
  [P.certificateArn]: CERT,
  [P.domainName]: 'bench.lab.example.org',
  [P.servicesInstanceType]: 't3.medium',
  [P.cpuWorkerInstanceType]: 'c7i.large',
  [P.gpuWorkerInstanceType]: 'g5.xlarge',
  [P.gpuWorkerMax]: '2',
};

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const cfn = mockClient(CloudFormationClient);
const quotas = mockClient(ServiceQuotasClient);
const acm = mockClient(ACMClient);

function notImplemented(): Error {
  return Object.assign(new Error('The API action GetServiceQuota for service servicequotas is not included in your current license'), { name: 'NotImplementedException', $metadata: { httpStatusCode: 501 } });
}

beforeEach(() => {
  for (const m of [sts, ec2, cfn, quotas, acm]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/admin' });
  ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: region, OptInStatus: 'opt-in-not-required' }] });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ['eu-west-1c', 'eu-west-1a', 'eu-west-1b'].map((ZoneName) => ({ ZoneName })) });
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: ['t3.medium', 'c7i.large', 'g5.xlarge', 't4g.nano'].flatMap((InstanceType) => ['eu-west-1a', 'eu-west-1b'].map((Location) => ({ InstanceType, Location }))) as never,
  });
  ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [{ InstanceType: 'g5.xlarge', VCpuInfo: { DefaultVCpus: 4 } }] });
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-default', CidrBlock: '172.31.0.0/16' }] });
  quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 8 } });
  ec2.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: `arn:aws:kms:${region}:123456789012:alias/aws/ebs` });
  acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'ISSUED', DomainName: '*.lab.example.org' } });
  cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id lab-prod does not exist'), { name: 'ValidationError' }));
});
afterEach(() => undefined);

const c = () => createDeployClients({ region });
const run = (p: Record<string, string> = params) => runPreflight(c(), { stackName: 'lab-prod', region, params: p });

describe('preflight against the account', () => {
  it('passes a good account and parameters, naming the account', async () => {
    const report = await run();
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, account: '123456789012' });
  });

  it('stops at unusable credentials with the sign-in command', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The SSO session has expired'), { name: 'CredentialsProviderError' }));
    const report = await runPreflight(createDeployClients({ region, profile: 'lab' }), { stackName: 'lab-prod', region, params });
    expect(report.ok).toBe(false);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.message).toContain('aws sso login --profile lab');
  });

  it('rejects a region that is not enabled', async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: region, OptInStatus: 'not-opted-in' }] });
    const report = await run();
    expect(report.findings.map((f) => f.field)).toEqual(['region']);
    expect(report.findings[0]!.message).toContain('not enabled');
  });

  it('rejects an instance type offered in neither zone, warns when in only one', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 't3.medium', Location: 'eu-west-1a' },
        { InstanceType: 'g5.xlarge', Location: 'eu-west-1a' },
        { InstanceType: 'g5.xlarge', Location: 'eu-west-1b' },
        { InstanceType: 't4g.nano', Location: 'eu-west-1a' },
      ],
    });
    const report = await run();
    expect(report.findings.map((f) => `${f.severity}:${f.field}`)).toEqual([`warning:${P.servicesInstanceType}`, `error:${P.cpuWorkerInstanceType}`]);
  });

  it('rejects a NAT instance type the first zone does not offer, where the NAT instance runs', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        ...['t3.medium', 'c7i.large', 'g5.xlarge'].flatMap((InstanceType) => ['eu-west-1a', 'eu-west-1b'].map((Location) => ({ InstanceType, Location }))),
        { InstanceType: 't4g.nano', Location: 'eu-west-1b' },
      ] as never,
    });
    const report = await run();
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([{ field: P.natInstanceType, severity: 'error', message: expect.stringContaining('not offered in eu-west-1a, where the NAT instance runs') }]);
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]!.args[0].input.Filters![0]!.Values).toContain('t4g.nano');
    // A NAT gateway needs no instance type.
    expect((await run({ ...params, [P.natMode]: 'gateway' })).findings).toEqual([]);
  });

  it('follows DescribeInstanceTypeOfferings pages', async () => {
    ec2
      .on(DescribeInstanceTypeOfferingsCommand)
      .resolvesOnce({ InstanceTypeOfferings: [{ InstanceType: 't3.medium', Location: 'eu-west-1a' }, { InstanceType: 't3.medium', Location: 'eu-west-1b' }], NextToken: 'p2' })
      .resolvesOnce({ InstanceTypeOfferings: ['c7i.large', 'g5.xlarge', 't4g.nano'].flatMap((InstanceType) => ['eu-west-1a', 'eu-west-1b'].map((Location) => ({ InstanceType, Location }))) as never });
    expect((await run()).findings).toEqual([]);
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[1]!.args[0].input.NextToken).toBe('p2');
  });

  it('blocks GPU workers on a zero quota with the link to ask for more', async () => {
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 0 } });
    const report = await run();
    expect(report.ok).toBe(false);
    expect(report.findings[0]!.message).toContain(GPU_QUOTA_URL);
    expect(report.gpuQuotaVcpus).toBe(0);
  });

  it('warns when the quota fits fewer GPU workers than the maximum', async () => {
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 4 } });
    const report = await run();
    expect(report.ok).toBe(true);
    expect(report.findings[0]).toMatchObject({ field: P.gpuWorkerMax, severity: 'warning' });
    expect(report.findings[0]!.message).toContain('fits only 1');
  });

  describe('GPU workers on Spot', () => {
    const spot = { ...params, [P.workerOnDemandPercent]: '50' };
    it('are checked against the G and VT Spot quota only when some workers are Spot', async () => {
      quotas.on(GetServiceQuotaCommand, { QuotaCode: GPU_SPOT_QUOTA_CODE }).resolves({ Quota: { Value: 0 } });
      expect((await run()).findings).toEqual([]);
      const report = await run(spot);
      expect(report.ok).toBe(false);
      expect(report.findings).toEqual([{ field: P.workerOnDemandPercent, severity: 'error', message: expect.stringContaining(GPU_SPOT_QUOTA_URL) }]);
    });
    it('warn when the Spot quota fits fewer GPU workers than the maximum', async () => {
      quotas.on(GetServiceQuotaCommand, { QuotaCode: GPU_SPOT_QUOTA_CODE }).resolves({ Quota: { Value: 4 } });
      const report = await run(spot);
      expect(report.ok).toBe(true);
      expect(report.findings).toEqual([{ field: P.workerOnDemandPercent, severity: 'warning', message: expect.stringContaining('fits only 1 "g5.xlarge"') }]);
    });
  });

  it("warns when the account's default EBS key is a customer managed key the instances must be allowed to use", async () => {
    ec2.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab` });
    const report = await run();
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([{ field: 'ebsDefaultKey', severity: 'warning', message: expect.stringContaining('AWSServiceRoleForAutoScaling') }]);
    expect(report.findings[0]!.message).toContain(EBS_KEY_POLICY_URL);
  });

  it('turns a check the endpoint cannot answer into a warning', async () => {
    quotas.on(GetServiceQuotaCommand).rejects(notImplemented());
    const report = await run();
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([{ field: P.gpuWorkerMax, severity: 'warning', message: expect.stringContaining('does not support this call') }]);
  });

  it('rejects a certificate that is not issued, warns when it does not cover the domain', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'PENDING_VALIDATION', DomainName: '*.lab.example.org' } });
    expect((await run()).findings[0]!.message).toContain('PENDING_VALIDATION');
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'ISSUED', DomainName: 'other.example.org' } });
    expect((await run()).findings[0]).toMatchObject({ field: P.domainName, severity: 'warning' });
    acm.on(DescribeCertificateCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    expect((await run()).findings[0]).toMatchObject({ field: P.certificateArn, severity: 'error' });
  });

  it('warns when the new VPC overlaps an existing one', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-old', CidrBlock: '10.20.0.0/20' }] });
    expect((await run()).findings[0]).toMatchObject({ field: P.vpcCidr, severity: 'warning' });
  });

  it('refuses a name taken by a stack that is not ours, and a rolled-back install', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab-prod', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Tags: [] }] });
    expect((await run()).findings[0]!.message).toContain('another CloudFormation stack');
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab-prod', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date(), Tags: [{ Key: 'benchtop:role', Value: 'platform' }] }] });
    expect((await run()).findings[0]!.message).toContain('benchtop delete --stack lab-prod');
  });

  it('treats an existing Benchtop stack as an upgrade', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Tags: [{ Key: 'benchtop:role', Value: 'platform' }] }] });
    expect(await run()).toMatchObject({ ok: true, existingStatus: 'UPDATE_COMPLETE' });
  });

  describe('existing VPC', () => {
    const existing = {
      ...params,
      [P.vpcCidr]: '',
      [P.existingVpcId]: 'vpc-0123456789abcdef0',
      [P.publicSubnet1]: 'subnet-0000000a',
      [P.publicSubnet2]: 'subnet-0000000b',
      [P.privateSubnet1]: 'subnet-0000000c',
      [P.privateSubnet2]: 'subnet-0000000d',
      [P.natMode]: 'none',
    };
    const subnet = (SubnetId: string, AvailabilityZone: string, VpcId = 'vpc-0123456789abcdef0') => ({ SubnetId, AvailabilityZone, VpcId });
    beforeEach(() => {
      ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.0.0/16' }] });
      ec2.on(DescribeSubnetsCommand).resolves({
        Subnets: [subnet('subnet-0000000a', 'eu-west-1a'), subnet('subnet-0000000b', 'eu-west-1b'), subnet('subnet-0000000c', 'eu-west-1a'), subnet('subnet-0000000d', 'eu-west-1b')],
      });
      ec2.on(DescribeRouteTablesCommand).resolves({
        RouteTables: [
          { Associations: [{ SubnetId: 'subnet-0000000a' }, { SubnetId: 'subnet-0000000b' }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }] },
          { Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }] },
        ],
      });
      ec2.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' }).resolves({ EnableDnsSupport: { Value: true } });
      ec2.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: true } });
    });

    it('accepts public and private subnets in two zones', async () => expect((await run(existing)).findings).toEqual([]));

    it('rejects a VPC without DNS hostnames or DNS support, with the command that turns each on', async () => {
      ec2.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: false } });
      const report = await run(existing);
      expect(report.ok).toBe(false);
      expect(report.findings).toEqual([{ field: P.existingVpcId, severity: 'error', message: expect.stringContaining('--enable-dns-hostnames') }]);
      ec2.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' }).resolves({ EnableDnsSupport: { Value: false } });
      expect((await run(existing)).findings.map((f) => f.message.includes('enableDnsSupport off'))).toEqual([true, false]);
    });

    it('rejects a missing VPC', async () => {
      ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
      expect((await run(existing)).findings[0]).toMatchObject({ field: P.existingVpcId, severity: 'error' });
    });

    it('rejects private subnets in one zone, a subnet of another VPC, and a public subnet without an internet route', async () => {
      ec2.on(DescribeSubnetsCommand).resolves({
        Subnets: [subnet('subnet-0000000a', 'eu-west-1a'), subnet('subnet-0000000b', 'eu-west-1b', 'vpc-other'), subnet('subnet-0000000c', 'eu-west-1a'), subnet('subnet-0000000d', 'eu-west-1a')],
      });
      ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }] }] });
      const messages = (await run(existing)).findings.filter((f) => f.severity === 'error').map((f) => f.message);
      expect(messages.some((m) => m.includes('vpc-other'))).toBe(true);
      expect(messages.some((m) => m.includes('no route to an internet gateway'))).toBe(true);
      expect(messages.some((m) => m.includes(`in eu-west-1a like ${P.privateSubnet1}`))).toBe(true);
    });

    it('rejects a private subnet routed to the internet gateway', async () => {
      ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }] }] });
      const report = await run(existing);
      expect(report.findings.filter((f) => f.field === P.privateSubnet1 || f.field === P.privateSubnet2)).toHaveLength(2);
    });
  });
});
