import { z } from 'zod';

// The platform template's parameter names that the deploy engine reads or sets. Kept in one place
// so a rename in templates/platform.yaml is a one-line change here. Pure: the wizard imports it.
export const P = {
  vpcCidr: 'VpcCidr',
  existingVpcId: 'ExistingVpcId',
  publicSubnet1: 'ExistingPublicSubnet1',
  publicSubnet2: 'ExistingPublicSubnet2',
  privateSubnet1: 'ExistingPrivateSubnet1',
  privateSubnet2: 'ExistingPrivateSubnet2',
  privateSubnet1Zone: 'ExistingPrivateSubnet1Zone',
  natMode: 'NatMode',
  natInstanceType: 'NatInstanceType',
  loadBalancerScheme: 'LoadBalancerScheme',
  certificateArn: 'CertificateArn',
  domainName: 'DomainName',
  hostedZoneId: 'PublicHostedZoneId',
  allowedClientCidr: 'AllowedClientCidr',
  servicesInstanceType: 'ServicesInstanceType',
  cpuWorkerInstanceType: 'CpuWorkerInstanceType',
  cpuWorkerMax: 'CpuWorkerMaxCount',
  gpuWorkerInstanceType: 'GpuWorkerInstanceType',
  gpuWorkerMax: 'GpuWorkerMaxCount',
  workerOnDemandPercent: 'WorkerOnDemandPercent',
  servicesEndpointMode: 'ServicesEndpointMode',
  dataVolumeSize: 'DataVolumeSize',
  dataVolumeSnapshotId: 'DataVolumeSnapshotId',
  backupRetentionDays: 'BackupRetentionDays',
  logRetentionDays: 'LogRetentionDays',
  alarmEmail: 'AlarmEmail',
  monthlyBudget: 'MonthlyBudgetUsd',
  artifactsBucket: 'ArtifactsBucketName',
  agentBundleVersion: 'AgentBundleVersion',
  agentBundleSha256: 'AgentBundleSha256',
} as const;

/** The stack output that carries the installed stack version (compared with STACK_VERSION). */
export const STACK_VERSION_OUTPUT = 'StackVersion';

/** CloudFormation parameters are strings; a params file may hold numbers, booleans or lists. */
const paramValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

export const templateParameters = z
  .record(z.string().regex(/^[A-Za-z0-9]+$/, 'a parameter name is letters and digits only'), paramValue)
  .transform((record) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(record)) out[k] = Array.isArray(v) ? v.join(',') : String(v);
    return out;
  });
export type TemplateParameters = Record<string, string>;

export const PUBLIC_SUBNETS = [P.publicSubnet1, P.publicSubnet2] as const;
export const PRIVATE_SUBNETS = [P.privateSubnet1, P.privateSubnet2] as const;

/** The subnet ids given for these parameters, empty ones left out. */
export function subnetIds(params: TemplateParameters, names: readonly string[]): string[] {
  return names.map((n) => params[n]?.trim() ?? '').filter(Boolean);
}

/** True when the parameters choose an existing VPC instead of a new one. */
export function usesExistingVpc(params: TemplateParameters): boolean {
  return Boolean(params[P.existingVpcId]?.trim());
}
