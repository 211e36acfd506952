import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { type AwsTarget, createAwsClient } from '../../../lib/aws/client-factory.js';
import { findStackResources, type StackResources } from './stack-resources.js';

export interface StackClients {
  cfn: CloudFormationClient;
  cw: CloudWatchClient;
  logs: CloudWatchLogsClient;
  sns: SNSClient;
}

/**
 * Live Tail's host is its own ("stream-logs.<region>…": the SDK puts "stream-" before the endpoint's
 * host). Against AWS_ENDPOINT_URL (an emulator, the fake AWS) that prefix names no host at all, so
 * it is left off there: the endpoint then answers StartLiveTail itself, or refuses it.
 */
class LogsClientForEndpoint extends CloudWatchLogsClient {
  constructor(config: ConstructorParameters<typeof CloudWatchLogsClient>[0] & { endpoint?: unknown }) {
    super({ ...config, ...(config.endpoint ? { disableHostPrefix: true } : {}) });
  }
}

export function createStackClients(target: AwsTarget, env: NodeJS.ProcessEnv): StackClients {
  return {
    cfn: createAwsClient(CloudFormationClient, target, env),
    cw: createAwsClient(CloudWatchClient, target, env),
    logs: createAwsClient(LogsClientForEndpoint, target, env),
    sns: createAwsClient(SNSClient, target, env),
  };
}

const RESOURCES_TTL_MS = 5 * 60_000;

/** Clients per target and the stack's resources, read again after 5 minutes (an update may add a GPU group). */
export class StackObserve {
  private readonly clients = new Map<string, StackClients>();
  private readonly resources = new Map<string, { at: number; value: Promise<StackResources> }>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly make: (target: AwsTarget, env: NodeJS.ProcessEnv) => StackClients = createStackClients,
  ) {}

  clientsFor(target: AwsTarget): StackClients {
    const key = `${target.region}|${target.profile ?? ''}`;
    let c = this.clients.get(key);
    if (!c) this.clients.set(key, (c = this.make(target, this.env)));
    return c;
  }

  resourcesOf(target: AwsTarget, stackName: string): Promise<StackResources> {
    const key = `${target.region}|${target.profile ?? ''}|${stackName}`;
    const cached = this.resources.get(key);
    if (cached && Date.now() - cached.at < RESOURCES_TTL_MS) return cached.value;
    const value = findStackResources(this.clientsFor(target).cfn, stackName, target.region);
    value.catch(() => this.resources.delete(key));
    this.resources.set(key, { at: Date.now(), value });
    return value;
  }
}

/** Live Tail names a log group by ARN. */
export function logGroupArn(r: StackResources, name: string): string {
  return `arn:${r.partition}:logs:${r.region}:${r.account}:log-group:${name}`;
}

/** The CloudWatch console's page of one log stream (its path segments escaped the console's way: % becomes $25). */
export function consoleLogStreamUrl(region: string, group: string, stream: string): string {
  const esc = (s: string) => encodeURIComponent(s).replace(/%/g, '$25');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${esc(group)}/log-events/${esc(stream)}`;
}
