import type { Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { ChartData } from '../../../common/api/observe.contract.js';
import type { StackResources } from './stack-resources.js';

/** One line of one chart, and the query (or queries: metric math needs its inputs) that draws it. */
export interface ChartLine {
  chart: string;
  label: string;
  /** The query whose values are drawn. */
  id: string;
  dashed?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: ChartData['unit'];
  /** Said when every line of it is empty. */
  whenEmpty: string;
}

export interface StackQueries {
  charts: ChartSpec[];
  lines: ChartLine[];
  queries: MetricDataQuery[];
}

const dims = (d: Record<string, string>): Dimension[] => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

/**
 * Every Monitoring chart of a stack as one GetMetricData call: the services agent's metrics in the
 * stack's namespace, and the AWS namespaces of the resources the stack made. Metric math sums the
 * two kinds of 5xx and turns byte sums into rates (x / PERIOD(x)), so the app never does it.
 * Charts whose resource the stack does not have (no GPU group, no NAT) are left out.
 */
export function stackQueries(r: StackResources, period: number): StackQueries {
  const charts: ChartSpec[] = [];
  const lines: ChartLine[] = [];
  const queries: MetricDataQuery[] = [];
  let n = 0;
  const stat = (namespace: string, metric: string, d: Record<string, string>, s: string, visible: boolean): string => {
    n += 1;
    const id = `m${n}`;
    queries.push({ Id: id, MetricStat: { Metric: { Namespace: namespace, MetricName: metric, Dimensions: dims(d) }, Period: period, Stat: s }, ReturnData: visible });
    return id;
  };
  const expr = (expression: string, label: string): string => {
    n += 1;
    const id = `e${n}`;
    queries.push({ Id: id, Expression: expression, Label: label, ReturnData: true });
    return id;
  };
  const chart = (spec: ChartSpec) => charts.push(spec);
  const line = (c: string, label: string, id: string, dashed?: boolean) => lines.push({ chart: c, label, id, ...(dashed ? { dashed } : {}) });
  const ns = r.namespace;

  chart({ id: 'queue-depth', title: 'Queue depth', unit: 'count', whenEmpty: 'The services agent published no queue metrics in this range.' });
  line('queue-depth', 'cpu', stat(ns, 'QueueDepth', { Queue: 'cpu' }, 'Maximum', true));
  line('queue-depth', 'gpu', stat(ns, 'QueueDepth', { Queue: 'gpu' }, 'Maximum', true));

  chart({ id: 'runs-running', title: 'Runs running', unit: 'count', whenEmpty: 'The services agent published no run metrics in this range.' });
  line('runs-running', 'cpu', stat(ns, 'RunningRuns', { Queue: 'cpu' }, 'Maximum', true));
  line('runs-running', 'gpu', stat(ns, 'RunningRuns', { Queue: 'gpu' }, 'Maximum', true));

  chart({ id: 'workers', title: 'Workers in service', unit: 'count', whenEmpty: 'No worker was in service in this range.' });
  line('workers', 'cpu online', stat(ns, 'WorkersOnline', { Queue: 'cpu' }, 'Maximum', true));
  if (r.cpuGroup) line('workers', 'cpu desired', stat('AWS/AutoScaling', 'GroupDesiredCapacity', { AutoScalingGroupName: r.cpuGroup }, 'Maximum', true), true);
  if (r.gpuGroup) {
    line('workers', 'gpu online', stat(ns, 'WorkersOnline', { Queue: 'gpu' }, 'Maximum', true));
    line('workers', 'gpu desired', stat('AWS/AutoScaling', 'GroupDesiredCapacity', { AutoScalingGroupName: r.gpuGroup }, 'Maximum', true), true);
  }

  chart({ id: 'run-durations', title: 'Run durations', unit: 'seconds', whenEmpty: 'No run finished in this range (or the services agent does not publish RunDuration).' });
  line('run-durations', 'p50', stat(ns, 'RunDuration', {}, 'p50', true));
  line('run-durations', 'p95', stat(ns, 'RunDuration', {}, 'p95', true));

  chart({ id: 'failed-runs', title: 'Failed runs', unit: 'count', whenEmpty: 'No failed-run count was published in this range.' });
  line('failed-runs', 'failed', stat(ns, 'FailedRuns', {}, 'Sum', true));

  if (r.servicesGroup) {
    chart({ id: 'services-cpu', title: 'Services CPU', unit: 'percent', whenEmpty: 'The services instance reported no CPU in this range.' });
    line('services-cpu', 'average', stat('AWS/EC2', 'CPUUtilization', { AutoScalingGroupName: r.servicesGroup }, 'Average', true));
  }
  chart({ id: 'services-disk', title: 'Services data disk used', unit: 'percent', whenEmpty: 'The CloudWatch agent reported no disk use in this range.' });
  line('services-disk', 'data volume', stat(ns, 'DataDiskUsedPercent', {}, 'Maximum', true));

  if (r.loadBalancer) {
    const lb = { LoadBalancer: r.loadBalancer };
    chart({ id: 'lb-requests', title: 'Load balancer requests', unit: 'requests', whenEmpty: 'The load balancer served no request in this range.' });
    line('lb-requests', 'requests', stat('AWS/ApplicationELB', 'RequestCount', lb, 'Sum', true));
    chart({ id: 'lb-5xx', title: 'Load balancer 5xx', unit: 'count', whenEmpty: 'No 5xx answer in this range.' });
    const elb = stat('AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', lb, 'Sum', false);
    const target = stat('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', lb, 'Sum', false);
    line('lb-5xx', '5xx answers', expr(`FILL(${elb}, 0) + FILL(${target}, 0)`, '5xx answers'));
    chart({ id: 'lb-latency', title: 'Load balancer latency', unit: 'seconds', whenEmpty: 'The load balancer served no request in this range.' });
    line('lb-latency', 'p50', stat('AWS/ApplicationELB', 'TargetResponseTime', lb, 'p50', true));
    line('lb-latency', 'p95', stat('AWS/ApplicationELB', 'TargetResponseTime', lb, 'p95', true));
  }
  if (r.fileSystemId) {
    const fs = { FileSystemId: r.fileSystemId };
    chart({ id: 'efs-throughput', title: 'EFS throughput', unit: 'bytes/s', whenEmpty: 'Nothing was read from or written to EFS in this range.' });
    const read = stat('AWS/EFS', 'DataReadIOBytes', fs, 'Sum', false);
    const write = stat('AWS/EFS', 'DataWriteIOBytes', fs, 'Sum', false);
    line('efs-throughput', 'read', expr(`${read} / PERIOD(${read})`, 'read'));
    line('efs-throughput', 'write', expr(`${write} / PERIOD(${write})`, 'write'));
  }
  if (r.natGatewayId || r.natInstanceId) {
    chart({ id: 'nat-throughput', title: 'NAT throughput', unit: 'bytes/s', whenEmpty: 'No traffic went through the NAT in this range.' });
    const [ns2, out, inn, d] = r.natGatewayId
      ? ['AWS/NATGateway', 'BytesOutToDestination', 'BytesInFromDestination', { NatGatewayId: r.natGatewayId }]
      : ['AWS/EC2', 'NetworkOut', 'NetworkIn', { InstanceId: r.natInstanceId! }];
    const o = stat(ns2, out, d, 'Sum', false);
    const i = stat(ns2, inn, d, 'Sum', false);
    line('nat-throughput', 'out', expr(`${o} / PERIOD(${o})`, 'out'));
    line('nat-throughput', 'in', expr(`${i} / PERIOD(${i})`, 'in'));
  }
  return { charts, lines, queries };
}
