import { P } from '../../../common/deploy/platform-parameters.js';

/** The wizard's steps and the template parameters each one edits (for "Next" and error counts). */
export const STEPS = [
  { id: 'account', title: 'Account', fields: ['stackName', 'region'] },
  { id: 'network', title: 'Network', fields: [P.vpcCidr, P.natMode, P.existingVpcId, P.publicSubnet1, P.publicSubnet2, P.privateSubnet1, P.privateSubnet2] },
  { id: 'access', title: 'Access', fields: [P.loadBalancerScheme, P.certificateArn, P.domainName, P.hostedZoneId, P.allowedClientCidr] },
  { id: 'compute', title: 'Compute', fields: [P.servicesInstanceType, P.cpuWorkerInstanceType, P.cpuWorkerMax, P.gpuWorkerInstanceType, P.gpuWorkerMax] },
  { id: 'storage', title: 'Storage & backup', fields: [P.dataVolumeSize, P.dataVolumeSnapshotId, P.backupRetentionDays, P.logRetentionDays] },
  { id: 'alarms', title: 'Alarms & budget', fields: [P.alarmEmail, P.monthlyBudget] },
  { id: 'review', title: 'Review', fields: [] },
  { id: 'install', title: 'Install', fields: [] },
] as const;

/** Parameters the wizard edits; everything else keeps the template's default. */
export const EDITED = STEPS.flatMap((s) => s.fields).filter((f) => f !== 'stackName' && f !== 'region');
