import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  GetEbsDefaultKmsKeyIdCommand,
  type RouteTable,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { errorText, isStackMissing } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import { P, PRIVATE_SUBNETS, PUBLIC_SUBNETS, subnetIds, type TemplateParameters, usesExistingVpc } from '../../common/deploy/platform-parameters.js';
import { checkCidrAgainstVpcs, type Finding } from '../../common/deploy/preflight-rules.js';
import { BENCHTOP_TAG } from './stack-tags.js';

/** Running On-Demand G and VT instances, counted in vCPUs. */
export const GPU_QUOTA_CODE = 'L-DB2E81BA';
export const GPU_QUOTA_URL = `https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/${GPU_QUOTA_CODE}`;
/** All G and VT Spot Instance Requests, counted in vCPUs. */
export const GPU_SPOT_QUOTA_CODE = 'L-3819A6DF';
export const GPU_SPOT_QUOTA_URL = `https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/${GPU_SPOT_QUOTA_CODE}`;
/** What the Auto Scaling service-linked role needs in a customer managed key's policy to launch encrypted volumes. */
export const EBS_KEY_POLICY_URL = 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html';

export interface PreflightInput {
  stackName: string;
  region: string;
  params: TemplateParameters;
  /** The template's AllowedValues per parameter. */
  allowed?: Record<string, string[]>;
  /** The template's parameter names, to catch a misspelt one before CloudFormation does. */
  declared?: string[];
}

const error = (field: string, message: string): Finding => ({ field, severity: 'error', message });
const warning = (field: string, message: string): Finding => ({ field, severity: 'warning', message });

export async function checkCredentials(c: DeployClients): Promise<{ account?: string; arn?: string; findings: Finding[] }> {
  try {
    const id = await c.sts.send(new GetCallerIdentityCommand({}));
    return { account: id.Account, arn: id.Arn, findings: [] };
  } catch (e) {
    const profile = c.target.profile ? ` --profile ${c.target.profile}` : '';
    return {
      findings: [error('credentials', `The AWS credentials could not be used (${errorText(e)}): sign in with "aws sso login${profile}" or pick another profile.`)],
    };
  }
}

export async function checkRegionEnabled(c: DeployClients, region: string): Promise<Finding[]> {
  const out = await c.ec2.send(new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'region-name', Values: [region] }] }));
  const found = out.Regions?.find((r) => r.RegionName === region);
  if (!found) return [error('region', `Region "${region}" is not offered to this account: pick one from the list of enabled regions.`)];
  if (found.OptInStatus === 'not-opted-in') {
    return [error('region', `Region "${region}" is not enabled in this account: enable it under Account → AWS Regions, or pick another region.`)];
  }
  return [];
}

/** The two AZs the stack will use: the existing private subnets' AZs, or the region's first two. */
export async function deploymentZones(c: DeployClients, params: TemplateParameters): Promise<{ zones: string[]; findings: Finding[] }> {
  if (usesExistingVpc(params)) {
    const ids = subnetIds(params, PRIVATE_SUBNETS);
    if (ids.length === 0) return { zones: [], findings: [] };
    const out = await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }] }));
    return { zones: [...new Set((out.Subnets ?? []).map((s) => s.AvailabilityZone!).filter(Boolean))], findings: [] };
  }
  const out = await c.ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }, { Name: 'zone-type', Values: ['availability-zone'] }] }),
  );
  const zones = (out.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean).sort();
  if (zones.length < 2) return { zones, findings: [error('region', `The region offers ${zones.length} available Availability Zone(s): the stack needs 2, so pick another region.`)] };
  return { zones: zones.slice(0, 2), findings: [] };
}

export async function checkInstanceTypesOffered(c: DeployClients, params: TemplateParameters, zones: string[]): Promise<Finding[]> {
  const wanted = new Map<string, string>();
  for (const field of [P.servicesInstanceType, P.cpuWorkerInstanceType]) if (params[field]) wanted.set(field, params[field]!);
  if (params[P.gpuWorkerInstanceType] && Number(params[P.gpuWorkerMax] ?? 0) > 0) wanted.set(P.gpuWorkerInstanceType, params[P.gpuWorkerInstanceType]!);
  // The NAT instance lives in the first public subnet, so only the first zone counts for it.
  const nat = params[P.natMode] === 'instance' && !usesExistingVpc(params) ? params[P.natInstanceType] : undefined;
  if ((wanted.size === 0 && !nat) || zones.length === 0) return [];
  const offered = new Map<string, Set<string>>();
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const out = await c.ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone',
        Filters: [
          { Name: 'instance-type', Values: [...new Set([...wanted.values(), ...(nat ? [nat] : [])])] },
          { Name: 'location', Values: zones },
        ],
        NextToken: token,
      }),
    );
    for (const o of out.InstanceTypeOfferings ?? []) {
      if (!o.InstanceType || !o.Location) continue;
      if (!offered.has(o.InstanceType)) offered.set(o.InstanceType, new Set());
      offered.get(o.InstanceType)!.add(o.Location);
    }
    token = out.NextToken;
    if (!token) break;
  }
  const findings: Finding[] = [];
  if (nat && !offered.get(nat)?.has(zones[0]!)) {
    findings.push(error(P.natInstanceType, `${P.natInstanceType} "${nat}" is not offered in ${zones[0]}, where the NAT instance runs: pick another NAT instance type, or NAT mode "gateway".`));
  }
  for (const [field, type] of wanted) {
    const where = offered.get(type) ?? new Set<string>();
    const missing = zones.filter((z) => !where.has(z));
    if (missing.length === zones.length) findings.push(error(field, `${field} "${type}" is not offered in ${zones.join(' or ')}: pick another instance type or another region.`));
    else if (missing.length) findings.push(warning(field, `${field} "${type}" is not offered in ${missing.join(', ')}: instances will only start in ${[...where].join(', ')}; pick a type offered in both zones to survive a zone outage.`));
  }
  return findings;
}

/** With Spot in the worker mix, GPU workers also count against the G and VT Spot quota. */
export async function checkGpuSpotQuota(c: DeployClients, params: TemplateParameters): Promise<Finding[]> {
  const max = Number(params[P.gpuWorkerMax] ?? 0);
  const type = params[P.gpuWorkerInstanceType];
  const onDemand = Number(params[P.workerOnDemandPercent] ?? 100);
  if (!type || !(max > 0) || !(onDemand < 100)) return [];
  const quota = (await c.quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: GPU_SPOT_QUOTA_CODE }))).Quota?.Value ?? 0;
  const vcpus = (await c.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }))).InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
  const spot = `${P.workerOnDemandPercent} is ${onDemand}, so ${100 - onDemand}% of GPU workers are Spot`;
  if (quota <= 0 || (vcpus && vcpus > quota)) {
    return [error(P.workerOnDemandPercent, `${spot}, but this account's G and VT Spot quota is ${quota} vCPUs${vcpus ? ` and "${type}" needs ${vcpus}` : ''}: request more at ${GPU_SPOT_QUOTA_URL}, or set ${P.workerOnDemandPercent} to 100.`)];
  }
  if (vcpus && vcpus * max > quota) {
    return [warning(P.workerOnDemandPercent, `${spot}; the G and VT Spot quota (${quota} vCPUs) fits only ${Math.floor(quota / vcpus)} "${type}": request more at ${GPU_SPOT_QUOTA_URL} or expect Spot launches to fail above that.`)];
  }
  return [];
}

/**
 * Every volume of the stack is encrypted without naming a key, so it uses the account's default
 * EBS key. The AWS managed key works for everyone; a customer managed one must let the Auto Scaling
 * service-linked role use it, or instances never launch (Client.InternalError on launch).
 */
export async function checkDefaultEbsKey(c: DeployClients): Promise<Finding[]> {
  const keyId = (await c.ec2.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId ?? '';
  if (!keyId || keyId.endsWith('alias/aws/ebs')) return [];
  return [
    warning(
      'ebsDefaultKey',
      `This account encrypts EBS with the customer managed key ${keyId} by default, and so will every volume of the stack: its key policy must let the Auto Scaling service-linked role (AWSServiceRoleForAutoScaling) and the services role use it, or the services instance and workers fail to launch; add the statements at ${EBS_KEY_POLICY_URL}, or go back to the AWS managed key (aws ec2 reset-ebs-default-kms-key-id).`,
    ),
  ];
}

export async function checkGpuQuota(c: DeployClients, params: TemplateParameters): Promise<{ quotaVcpus?: number; findings: Finding[] }> {
  const max = Number(params[P.gpuWorkerMax] ?? 0);
  const type = params[P.gpuWorkerInstanceType];
  if (!type || !(max > 0)) return { findings: [] };
  const quota = await c.quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: GPU_QUOTA_CODE }));
  const value = quota.Quota?.Value ?? 0;
  if (value <= 0) {
    return {
      quotaVcpus: value,
      findings: [error(P.gpuWorkerMax, `${P.gpuWorkerMax} is ${max} but this account's quota for On-Demand G and VT instances is 0 vCPUs: request an increase at ${GPU_QUOTA_URL}, or set ${P.gpuWorkerMax} to 0.`)],
    };
  }
  const types = await c.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }));
  const vcpus = types.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
  if (!vcpus) return { quotaVcpus: value, findings: [] };
  if (vcpus > value) {
    return { quotaVcpus: value, findings: [error(P.gpuWorkerInstanceType, `${P.gpuWorkerInstanceType} "${type}" needs ${vcpus} vCPUs but the G and VT quota is ${value}: pick a smaller GPU type or request more at ${GPU_QUOTA_URL}.`)] };
  }
  if (vcpus * max > value) {
    const fits = Math.floor(value / vcpus);
    return { quotaVcpus: value, findings: [warning(P.gpuWorkerMax, `${P.gpuWorkerMax} is ${max} but the G and VT quota (${value} vCPUs) fits only ${fits} "${type}": lower it to ${fits} or request more at ${GPU_QUOTA_URL}.`)] };
  }
  return { quotaVcpus: value, findings: [] };
}

function matchesDomain(pattern: string, domain: string): boolean {
  if (pattern.startsWith('*.')) return domain.endsWith(pattern.slice(1)) && domain.split('.').length === pattern.split('.').length;
  return pattern.toLowerCase() === domain.toLowerCase();
}

export async function checkCertificate(c: DeployClients, params: TemplateParameters): Promise<Finding[]> {
  const arn = params[P.certificateArn]?.trim();
  if (!arn) return [];
  let cert;
  try {
    cert = (await c.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') {
      return [error(P.certificateArn, `${P.certificateArn} names a certificate that does not exist in ${c.target.region}: pick one from the certificate list.`)];
    }
    throw e;
  }
  if (cert?.Status !== 'ISSUED') {
    return [error(P.certificateArn, `${P.certificateArn} is ${cert?.Status ?? 'in an unknown state'}, not ISSUED: finish its DNS validation in ACM, or pick an issued certificate.`)];
  }
  const domain = params[P.domainName]?.trim();
  const names = [cert.DomainName, ...(cert.SubjectAlternativeNames ?? [])].filter((n): n is string => Boolean(n));
  if (domain && !names.some((n) => matchesDomain(n, domain))) {
    return [warning(P.domainName, `${P.domainName} "${domain}" is not covered by the certificate (${names.join(', ')}): browsers will refuse it, so pick a matching certificate or domain.`)];
  }
  return [];
}

function hasRouteTo(table: RouteTable | undefined, prefix: string): boolean {
  return (table?.Routes ?? []).some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && (r.GatewayId ?? r.NatGatewayId ?? r.InstanceId ?? r.TransitGatewayId ?? '').startsWith(prefix));
}

export async function checkNetworkInAccount(c: DeployClients, params: TemplateParameters): Promise<Finding[]> {
  if (!usesExistingVpc(params)) {
    const vpcs = await c.ec2.send(new DescribeVpcsCommand({}));
    return checkCidrAgainstVpcs(params[P.vpcCidr], (vpcs.Vpcs ?? []).map((v) => ({ vpcId: v.VpcId ?? '?', cidr: v.CidrBlock ?? '' })));
  }
  const vpcId = params[P.existingVpcId]!.trim();
  const vpcs = await c.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  if (!vpcs.Vpcs?.length) return [error(P.existingVpcId, `${P.existingVpcId} "${vpcId}" does not exist in ${c.target.region}: pick a VPC from this region.`)];
  const dns = await checkVpcDns(c, vpcId);
  const all = subnetIds(params, [...PUBLIC_SUBNETS, ...PRIVATE_SUBNETS]);
  if (all.length === 0) return dns;
  const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: all }] }))).Subnets ?? [];
  const tables = (await c.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables ?? [];
  const main = tables.find((t) => t.Associations?.some((a) => a.Main));
  const tableOf = (subnetId: string) => tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ?? main;
  const findings: Finding[] = [...dns];
  for (const [pair, isPublic] of [
    [PUBLIC_SUBNETS, true],
    [PRIVATE_SUBNETS, false],
  ] as const) {
    const zones = new Map<string, string>();
    for (const field of pair) {
      const id = params[field]?.trim();
      if (!id) continue;
      const s = subnets.find((x) => x.SubnetId === id);
      if (!s) {
        findings.push(error(field, `${field} names ${id}, which does not exist in ${c.target.region}: pick a subnet of ${vpcId}.`));
        continue;
      }
      if (s.VpcId !== vpcId) findings.push(error(field, `${field} names ${id}, which belongs to ${s.VpcId}, not ${vpcId}: pick a subnet of the chosen VPC.`));
      if (s.AvailabilityZone) {
        const other = zones.get(s.AvailabilityZone);
        if (other) findings.push(error(field, `${field} is in ${s.AvailabilityZone} like ${other}: pick a subnet in the other Availability Zone.`));
        zones.set(s.AvailabilityZone, field);
      }
      const table = tableOf(id);
      const internet = hasRouteTo(table, 'igw-');
      if (isPublic && !internet) findings.push(error(field, `${field} names ${id}, which has no route to an internet gateway: pick a public subnet (0.0.0.0/0 → igw-…).`));
      if (!isPublic && internet) findings.push(error(field, `${field} names ${id}, which routes to an internet gateway: pick a private subnet, because instances get no public IP.`));
      if (!isPublic && !internet && params[P.natMode] === 'none' && !(table?.Routes ?? []).some((r) => r.DestinationCidrBlock === '0.0.0.0/0')) {
        findings.push(error(field, `${field} names ${id}, which has no default route and ${P.natMode} is "none": add a NAT route to it, or choose NAT mode "gateway" or "instance".`));
      }
    }
  }
  return findings;
}

/** Workers find the services by a name in the stack's private hosted zone, which answers only in a VPC with both DNS attributes on. */
async function checkVpcDns(c: DeployClients, vpcId: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const attributes = [
    ['enableDnsSupport', '--enable-dns-support'],
    ['enableDnsHostnames', '--enable-dns-hostnames'],
  ] as const;
  for (const [attribute, flag] of attributes) {
    const out = await c.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }));
    const on = attribute === 'enableDnsSupport' ? out.EnableDnsSupport?.Value : out.EnableDnsHostnames?.Value;
    if (on === false) {
      findings.push(error(P.existingVpcId, `${P.existingVpcId} "${vpcId}" has ${attribute} off: the stack's private names (services.<stack>.benchtop.internal) and EFS mounts need it; turn it on (aws ec2 modify-vpc-attribute --vpc-id ${vpcId} ${flag}) or pick another VPC.`));
    }
  }
  return findings;
}

/** The Availability Zone of the first private subnet, which the template needs for the data volume. */
export async function privateSubnetZone(c: DeployClients, params: TemplateParameters): Promise<string | undefined> {
  const id = params[P.privateSubnet1]?.trim();
  if (!id) return undefined;
  const out = await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [id] }] }));
  return out.Subnets?.[0]?.AvailabilityZone;
}

export interface ExistingStack {
  status: string;
  isBenchtop: boolean;
  stack: Stack;
}

export async function findStack(c: DeployClients, stackName: string): Promise<ExistingStack | undefined> {
  try {
    const stack = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (!stack) return undefined;
    return { status: stack.StackStatus ?? 'UNKNOWN', isBenchtop: (stack.Tags ?? []).some((t) => t.Key === BENCHTOP_TAG), stack };
  } catch (e) {
    if (isStackMissing(e)) return undefined;
    throw e;
  }
}

/** A new name is free; an existing Benchtop stack is an upgrade; anything else must be sorted out first. */
export async function checkStackNameAvailable(c: DeployClients, stackName: string): Promise<{ existing?: ExistingStack; findings: Finding[] }> {
  const existing = await findStack(c, stackName);
  if (!existing || existing.status === 'DELETE_COMPLETE') return { findings: [] };
  if (!existing.isBenchtop) {
    return { existing, findings: [error('stackName', `Stack name "${stackName}" is already used by another CloudFormation stack in ${c.target.region}: choose a different name.`)] };
  }
  if (existing.status === 'ROLLBACK_COMPLETE') {
    return { existing, findings: [error('stackName', `Stack "${stackName}" is in ROLLBACK_COMPLETE after a failed install: delete it (benchtop delete --stack ${stackName}) and install again.`)] };
  }
  if (existing.status.endsWith('_IN_PROGRESS') && existing.status !== 'REVIEW_IN_PROGRESS') {
    return { existing, findings: [error('stackName', `Stack "${stackName}" is ${existing.status}: wait for it to finish (benchtop status --stack ${stackName}) before changing it.`)] };
  }
  return { existing, findings: [] };
}
