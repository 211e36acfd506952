import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import type { StackInstance } from '../../common/api/terminal.contract.js';

export interface PickerClients {
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
  ssm: SSMClient;
}

const ROLE_TAG = 'benchtop:role';
const STACK_TAG = 'benchtop:stack';
const ROLES = new Set(['services', 'cpu-worker', 'gpu-worker']);

function tag(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** The stack's Auto Scaling groups by name, with the role their tags give. */
async function groupRoles(autoScaling: AutoScalingClient, stack: string): Promise<Map<string, string>> {
  const roles = new Map<string, string>();
  let token: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const out = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${STACK_TAG}`, Values: [stack] }], ...(token ? { NextToken: token } : {}) }));
    for (const group of out.AutoScalingGroups ?? []) {
      const role = tag(group.Tags, ROLE_TAG);
      if (group.AutoScalingGroupName && role) roles.set(group.AutoScalingGroupName, role);
    }
    token = out.NextToken;
    if (!token) break;
  }
  return roles;
}

async function stackInstances(ec2: EC2Client, stack: string): Promise<Instance[]> {
  const found: Instance[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${STACK_TAG}`, Values: [stack] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
        ],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const reservation of out.Reservations ?? []) found.push(...(reservation.Instances ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return found;
}

async function ssmInformation(ssm: SSMClient, ids: string[]): Promise<Map<string, InstanceInformation>> {
  const info = new Map<string, InstanceInformation>();
  // DescribeInstanceInformation takes at most 50 instance ids per filter value list.
  for (let at = 0; at < ids.length; at += 50) {
    let token: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const out = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids.slice(at, at + 50) }], ...(token ? { NextToken: token } : {}) }));
      for (const item of out.InstanceInformationList ?? []) if (item.InstanceId) info.set(item.InstanceId, item);
      token = out.NextToken;
      if (!token) break;
    }
  }
  return info;
}

function roleOf(instance: Instance, groups: Map<string, string>): StackInstance['role'] {
  const own = tag(instance.Tags, ROLE_TAG) ?? groups.get(tag(instance.Tags, 'aws:autoscaling:groupName') ?? '');
  if (own && ROLES.has(own)) return own as StackInstance['role'];
  if (/-nat$/.test(tag(instance.Tags, 'Name') ?? '')) return 'nat';
  return 'other';
}

const ROLE_ORDER: StackInstance['role'][] = ['services', 'nat', 'cpu-worker', 'gpu-worker', 'other'];

function reachability(state: string, ssm: InstanceInformation | undefined): { status: StackInstance['ssm']['status']; reason: string | null } {
  if (state !== 'running') return { status: ssm ? 'connection-lost' : 'not-registered', reason: `The instance is ${state}: only a running instance takes sessions.` };
  if (!ssm) {
    return {
      status: 'not-registered',
      reason: 'Its SSM agent has not registered with Systems Manager: the instance may still be booting, lack a route to SSM (NAT or VPC endpoints), or its role may lack the Session Manager permissions (ssm:UpdateInstanceInformation, ssmmessages:*).',
    };
  }
  if (ssm.PingStatus === 'Online') return { status: 'online', reason: null };
  if (ssm.PingStatus === 'ConnectionLost') {
    const at = ssm.LastPingDateTime ? ` since ${ssm.LastPingDateTime.toISOString()}` : '';
    return { status: 'connection-lost', reason: `Its SSM agent stopped answering${at}: the instance may be overloaded, out of memory, or have lost its route to SSM.` };
  }
  return { status: 'inactive', reason: 'Its SSM registration is inactive (the instance was stopped or deregistered).' };
}

/** The deployment's instances (services, NAT, CPU and GPU workers), each with its SSM status. */
export async function listStackInstances(clients: PickerClients, stack: string): Promise<StackInstance[]> {
  const [groups, instances] = await Promise.all([groupRoles(clients.autoScaling, stack), stackInstances(clients.ec2, stack)]);
  const ids = instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
  const ssm = ids.length > 0 ? await ssmInformation(clients.ssm, ids) : new Map<string, InstanceInformation>();
  const out = instances.flatMap((instance): StackInstance[] => {
    if (!instance.InstanceId) return [];
    const state = instance.State?.Name ?? 'unknown';
    const info = ssm.get(instance.InstanceId);
    const { status, reason } = reachability(state, info);
    return [
      {
        instanceId: instance.InstanceId,
        role: roleOf(instance, groups),
        name: tag(instance.Tags, 'Name') ?? null,
        zone: instance.Placement?.AvailabilityZone ?? null,
        instanceType: instance.InstanceType ?? null,
        state,
        launchedAt: instance.LaunchTime?.toISOString() ?? null,
        ssm: { status, agentVersion: info?.AgentVersion ?? null, lastPingAt: info?.LastPingDateTime?.toISOString() ?? null, platform: info?.PlatformName ?? null },
        reachable: status === 'online' && state === 'running',
        reason,
      },
    ];
  });
  return out.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || (a.launchedAt ?? '').localeCompare(b.launchedAt ?? ''));
}
