import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { listStackInstances } from './instance-picker.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

function clients() {
  const autoScaling = new AutoScalingClient({ region, credentials });
  const ec2 = new EC2Client({ region, credentials });
  const ssm = new SSMClient({ region, credentials });
  return { clients: { autoScaling, ec2, ssm }, asg: mockClient(autoScaling), ec2m: mockClient(ec2), ssmm: mockClient(ssm) };
}

const launch = new Date('2026-12-01T08:00:00Z');
const tags = (role?: string, extra: { Key: string; Value: string }[] = []) => [{ Key: 'benchtop:stack', Value: 'lab' }, ...(role ? [{ Key: 'benchtop:role', Value: role }] : []), ...extra];

describe('instance picker', () => {
  it('lists the stack instances by role with zone, type, uptime and SSM status, saying why the unreachable ones are', async () => {
    const m = clients();
    m.asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        { AutoScalingGroupName: 'lab-CpuWorkerGroup-X', Tags: tags('cpu-worker'), MinSize: 0, MaxSize: 4, DesiredCapacity: 1, DefaultCooldown: 0, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: launch },
      ],
    });
    m.ec2m.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-0cpu000000000001', State: { Name: 'running' }, InstanceType: 'c7g.large', Placement: { AvailabilityZone: 'eu-west-1b' }, LaunchTime: launch, Tags: tags(undefined, [{ Key: 'aws:autoscaling:groupName', Value: 'lab-CpuWorkerGroup-X' }]) },
            { InstanceId: 'i-0svc000000000001', State: { Name: 'running' }, InstanceType: 't4g.medium', Placement: { AvailabilityZone: 'eu-west-1a' }, LaunchTime: launch, Tags: tags('services', [{ Key: 'Name', Value: 'benchtop-lab-services' }]) },
            { InstanceId: 'i-0nat000000000001', State: { Name: 'running' }, InstanceType: 't4g.nano', Placement: { AvailabilityZone: 'eu-west-1a' }, LaunchTime: launch, Tags: tags(undefined, [{ Key: 'Name', Value: 'benchtop-lab-nat' }]) },
            { InstanceId: 'i-0gpu000000000001', State: { Name: 'stopping' }, InstanceType: 'g5.xlarge', LaunchTime: launch, Tags: tags('gpu-worker') },
          ],
        },
      ],
    });
    m.ssmm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: 'i-0svc000000000001', PingStatus: 'Online', AgentVersion: '3.3.1', PlatformName: 'Amazon Linux' },
        { InstanceId: 'i-0cpu000000000001', PingStatus: 'ConnectionLost', LastPingDateTime: new Date('2026-12-01T09:00:00Z') },
      ],
    });
    const list = await listStackInstances(m.clients, 'lab');
    expect(list.map((i) => [i.role, i.instanceId, i.reachable])).toEqual([
      ['services', 'i-0svc000000000001', true],
      ['nat', 'i-0nat000000000001', false],
      ['cpu-worker', 'i-0cpu000000000001', false],
      ['gpu-worker', 'i-0gpu000000000001', false],
    ]);
    expect(list[0]).toMatchObject({ zone: 'eu-west-1a', instanceType: 't4g.medium', launchedAt: launch.toISOString(), ssm: { status: 'online', agentVersion: '3.3.1' }, reason: null });
    expect(list[1]?.reason).toMatch(/not registered.*Session Manager permissions/);
    expect(list[2]?.reason).toMatch(/stopped answering since 2026-12-01T09:00:00.000Z/);
    expect(list[3]?.reason).toMatch(/is stopping/);
    // Only this stack's instances, and the SSM lookup names them.
    expect(m.ec2m.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters?.[0]).toEqual({ Name: 'tag:benchtop:stack', Values: ['lab'] });
    expect(m.ssmm.commandCalls(DescribeInstanceInformationCommand)[0]?.args[0].input.Filters?.[0]?.Values).toHaveLength(4);
  });

  it('answers an empty list without asking SSM when the stack has no instances', async () => {
    const m = clients();
    m.asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    m.ec2m.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await listStackInstances(m.clients, 'lab')).toEqual([]);
    expect(m.ssmm.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(0);
  });
});
