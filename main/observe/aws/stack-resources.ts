import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ApiError } from '../../../common/api/errors.js';

/** What Observe needs to know of a deployed stack, found from its outputs and a few of its resources. */
export interface StackResources {
  stackName: string;
  region: string;
  account: string;
  partition: string;
  /** The custom namespace the services agent publishes to ("Benchtop/<stack>"). */
  namespace: string;
  logGroups: { services: string; workers: string; runs: string };
  servicesGroup?: string;
  cpuGroup?: string;
  gpuGroup?: string;
  fileSystemId?: string;
  /** "app/<name>/<id>", the LoadBalancer dimension of AWS/ApplicationELB. */
  loadBalancer?: string;
  natGatewayId?: string;
  natInstanceId?: string;
  alarmTopicArn?: string;
}

/** The LoadBalancer dimension is the ARN's part after "loadbalancer/" (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html). */
export function loadBalancerDimension(arnOrName: string): string {
  const at = arnOrName.indexOf(':loadbalancer/');
  return at >= 0 ? arnOrName.slice(at + ':loadbalancer/'.length) : arnOrName;
}

async function physicalId(cfn: CloudFormationClient, stackName: string, logicalId: string): Promise<string | undefined> {
  // Asked one by one: DescribeStackResources without a logical id lists only the first 100 resources.
  const answer = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName, LogicalResourceId: logicalId })).catch(() => undefined);
  return answer?.StackResources?.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
}

/** Reads the stack once; a stack that does not exist is a `not-found` naming it and the region. */
export async function findStackResources(cfn: CloudFormationClient, stackName: string, region: string): Promise<StackResources> {
  const stacks = await cfn.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: { name?: string; message?: string }) => {
    if (error.name === 'ValidationError' && /does not exist/i.test(error.message ?? '')) {
      throw new ApiError('not-found', `There is no stack "${stackName}" in ${region}.`, 'Check the deployment\'s region and profile on the Deployment page.');
    }
    throw error;
  });
  const stack = stacks.Stacks?.[0];
  if (!stack) throw new ApiError('not-found', `There is no stack "${stackName}" in ${region}.`, 'Check the deployment\'s region and profile on the Deployment page.');
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const arn = (stack.StackId ?? '').split(':');
  const [lb, natGateway, natInstance] = await Promise.all([
    physicalId(cfn, stackName, 'EntryLoadBalancer'),
    physicalId(cfn, stackName, 'NatGateway'),
    physicalId(cfn, stackName, 'NatInstance'),
  ]);
  const out = (key: string) => outputs.get(key) || undefined;
  const optional = <K extends string>(key: K, value: string | undefined) => (value ? ({ [key]: value } as Record<K, string>) : {});
  return {
    stackName,
    region,
    partition: arn[1] || 'aws',
    account: arn[4] || '',
    namespace: out('MetricNamespace') ?? `Benchtop/${stackName}`,
    logGroups: {
      services: out('ServicesLogGroupName') ?? `/benchtop/${stackName}/services`,
      workers: out('WorkersLogGroupName') ?? `/benchtop/${stackName}/workers`,
      runs: out('RunsLogGroupName') ?? `/benchtop/${stackName}/runs`,
    },
    ...optional('servicesGroup', out('ServicesGroupName')),
    ...optional('cpuGroup', out('CpuWorkerGroupName')),
    ...optional('gpuGroup', out('GpuWorkerGroupName')),
    ...optional('fileSystemId', out('FileSystemId')),
    ...optional('alarmTopicArn', out('AlarmTopicArn')),
    ...optional('loadBalancer', lb ? loadBalancerDimension(lb) : undefined),
    ...optional('natGatewayId', natGateway),
    ...optional('natInstanceId', natInstance),
  };
}
