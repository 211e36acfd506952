import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { findStackResources, loadBalancerDimension, type StackResources } from './stack-resources.js';
import { stackMetrics } from './stack-metrics.js';

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const LB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/lab-entry/50dc6c495c0c9188';

const resources: StackResources = {
  stackName: 'lab',
  region: 'eu-west-1',
  account: '210987654321',
  partition: 'aws',
  namespace: 'Benchtop/lab',
  logGroups: { services: '/benchtop/lab/services', workers: '/benchtop/lab/workers', runs: '/benchtop/lab/runs' },
  servicesGroup: 'lab-services',
  cpuGroup: 'lab-cpu',
  loadBalancer: 'app/lab-entry/50dc6c495c0c9188',
  fileSystemId: 'fs-1',
};

beforeEach(() => {
  cfn.reset();
  cw.reset();
});

describe('finding a stack\'s resources', () => {
  it('reads the outputs, the account from the stack id and the load balancer\'s dimension from its ARN', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'lab',
          StackId: 'arn:aws:cloudformation:eu-west-1:210987654321:stack/lab/abc',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'MetricNamespace', OutputValue: 'Benchtop/lab' },
            { OutputKey: 'CpuWorkerGroupName', OutputValue: 'lab-cpu' },
            { OutputKey: 'RunsLogGroupName', OutputValue: '/benchtop/lab/runs' },
            { OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:eu-west-1:210987654321:lab-alarms' },
          ],
        },
      ],
    });
    cfn.on(DescribeStackResourcesCommand, { LogicalResourceId: 'EntryLoadBalancer' }).resolves({
      StackResources: [{ LogicalResourceId: 'EntryLoadBalancer', PhysicalResourceId: LB_ARN, ResourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() }],
    });
    cfn.on(DescribeStackResourcesCommand, { LogicalResourceId: 'NatGateway' }).rejects(Object.assign(new Error('Resource NatGateway does not exist for stack lab'), { name: 'ValidationError' }));
    cfn.on(DescribeStackResourcesCommand, { LogicalResourceId: 'NatInstance' }).rejects(Object.assign(new Error('Resource NatInstance does not exist for stack lab'), { name: 'ValidationError' }));
    const found = await findStackResources(new CloudFormationClient({ region: 'eu-west-1' }), 'lab', 'eu-west-1');
    expect(found).toMatchObject({ account: '210987654321', cpuGroup: 'lab-cpu', loadBalancer: 'app/lab-entry/50dc6c495c0c9188', alarmTopicArn: 'arn:aws:sns:eu-west-1:210987654321:lab-alarms' });
    expect(found.natGatewayId).toBeUndefined();
    expect(found.logGroups.services).toBe('/benchtop/lab/services');
    expect(loadBalancerDimension('app/x/1')).toBe('app/x/1');
  });

  it('says which stack and region when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id gone does not exist'), { name: 'ValidationError' }));
    await expect(findStackResources(new CloudFormationClient({ region: 'eu-west-1' }), 'gone', 'eu-west-1')).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('"gone" in eu-west-1') });
  });
});

describe('the stack\'s charts', () => {
  it('asks once for every chart, with metric math, and aligns the answer to the period', async () => {
    let asked: MetricDataQuery[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => {
      asked = input.MetricDataQueries;
      const q = (metric: string, queue?: string) =>
        input.MetricDataQueries.find((x) => x.MetricStat?.Metric?.MetricName === metric && (!queue || x.MetricStat.Metric.Dimensions?.[0]?.Value === queue))!.Id!;
      const t = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000);
      // Two pages: GetMetricData splits a long answer with NextToken.
      if (!input.NextToken) return { MetricDataResults: [{ Id: q('QueueDepth', 'cpu'), Label: 'cpu', Timestamps: [t(3), t(2)], Values: [4, 2], StatusCode: 'PartialData' }], NextToken: 'page-2' };
      return {
        MetricDataResults: [
          { Id: q('QueueDepth', 'cpu'), Timestamps: [t(1)], Values: [1], StatusCode: 'Complete' },
          { Id: q('RunningRuns', 'cpu'), Timestamps: [t(1)], Values: [2], StatusCode: 'Complete' },
        ],
        Messages: [{ Code: 'MaxQueryTimeRangeExceed', Value: 'The range was shortened.' }],
      };
    });
    const answer = await stackMetrics(new CloudWatchClient({ region: 'eu-west-1' }), resources, NOW - 3_600_000, NOW, NOW);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(answer.period).toBe(60);
    expect(answer.local).toBe(false);
    const queue = answer.charts.find((c) => c.id === 'queue-depth')!;
    expect(queue.series[0]!.values.slice(-4)).toEqual([4, 2, 1, null]);
    // The gpu line has no point at all, so it is left out rather than drawn as nothing.
    expect(queue.series.map((s) => s.label)).toEqual(['cpu']);
    expect(answer.charts.find((c) => c.id === 'lb-5xx')!.emptyReason).toBe('No 5xx answer in this range.');
    expect(answer.charts.map((c) => c.id)).not.toContain('nat-throughput');
    expect(answer.notes).toContain('The range was shortened.');
    const math = asked.filter((x) => x.Expression).map((x) => x.Expression);
    expect(math.some((e) => /^FILL\(m\d+, 0\) \+ FILL\(m\d+, 0\)$/.test(e!))).toBe(true);
    expect(math.some((e) => /PERIOD\(m\d+\)/.test(e!))).toBe(true);
    // Inputs of metric math are fetched but not returned.
    expect(asked.find((x) => x.MetricStat?.Metric?.MetricName === 'HTTPCode_ELB_5XX_Count')!.ReturnData).toBe(false);
    expect(new Set(asked.map((x) => x.Id)).size).toBe(asked.length);
  });

  it('chooses a coarser period for seven days so one call stays under the data-point limit', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const answer = await stackMetrics(new CloudWatchClient({ region: 'eu-west-1' }), resources, NOW - 7 * 86_400_000, NOW, NOW);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(answer.period).toBeGreaterThanOrEqual(300);
    expect(queries.every((q) => !q.MetricStat || q.MetricStat.Period === answer.period)).toBe(true);
    expect(answer.charts.every((c) => c.emptyReason)).toBe(true);
  });
});
