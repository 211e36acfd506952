import { P } from '../../../common/deploy/platform-parameters.js';

/** The wizard's steps and the template parameters each one edits (for "Next" and error counts). */
export const STEPS = [
  { id: 'account', title: 'Account', fields: ['stackName', 'region'] },
  { id: 'network', title: 'Network', fields: [P.vpcCidr, P.natMode, P.existingVpcId, P.publicSubnet1, P.publicSubnet2, P.privateSubnet1, P.privateSubnet2] },
  { id: 'access', title: 'Access', fields: [P.loadBalancerScheme, P.certificateArn, P.domainName, P.hostedZoneId, P.allowedClientCidr, P.servicesEndpointMode] },
  { id: 'compute', title: 'Compute', fields: [P.servicesInstanceType, P.cpuWorkerInstanceType, P.cpuWorkerMax, P.gpuWorkerInstanceType, P.gpuWorkerMax] },
  { id: 'storage', title: 'Storage & backup', fields: [P.dataVolumeSize, P.dataVolumeSnapshotId, P.backupRetentionDays, P.logRetentionDays] },
  { id: 'alarms', title: 'Alarms & budget', fields: [P.alarmEmail, P.monthlyBudget] },
  { id: 'review', title: 'Review', fields: [] },
  { id: 'install', title: 'Install', fields: [] },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

/** Parameters the wizard edits; everything else keeps the template's default. */
export const EDITED = STEPS.flatMap((s) => s.fields).filter((f) => f !== 'stackName' && f !== 'region');

/** How each choice of a mode reads in the wizard (the template's AllowedValues are the values). */
export const CHOICE_LABELS: Record<string, Record<string, string>> = {
  [P.loadBalancerScheme]: {
    'internet-facing': 'Internet-facing: reachable from the allowed clients anywhere',
    internal: 'Internal: reachable only from inside the VPC (VPN, Direct Connect)',
  },
  [P.servicesEndpointMode]: {
    dns: 'A private name for a fixed address (no extra cost)',
    'load-balancer': 'An internal load balancer (about $16.50 a month more)',
  },
};

/** What holds "Next" on a step beyond the preflight rules: choices the admin must make knowingly. */
export function stepBlockers(step: StepId, params: Record<string, string>, acknowledged: { noAlarmEmail: boolean }): string[] {
  if (step === 'alarms' && !params[P.alarmEmail]?.trim() && !acknowledged.noAlarmEmail) {
    return ['Give an alarm e-mail, or confirm that alarms may reach no one.'];
  }
  return [];
}
