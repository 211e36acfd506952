import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from './server.js';

// Through the real SDK clients and their wire protocols, as the agents call them.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function clients() {
  fake = await startFakeAws();
  const config = { region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 };
  return { fake, ssm: new SSMClient(config), cloudWatch: new CloudWatchClient(config), logs: new CloudWatchLogsClient(config) };
}

const failure = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);

describe('fake AWS for the agents', () => {
  it('SSM keeps SecureStrings, refuses an overwrite not asked for, and names a missing parameter', async () => {
    const { fake, ssm } = await clients();
    await ssm.send(new PutParameterCommand({ Name: '/benchtop/lab/admin-token', Value: 's3cret', Type: 'SecureString', KeyId: 'alias/benchtop-lab' }));
    expect(fake.instance.parameters.get('/benchtop/lab/admin-token')?.keyId).toBe('alias/benchtop-lab');
    expect(await failure(ssm.send(new PutParameterCommand({ Name: '/benchtop/lab/admin-token', Value: 'other', Type: 'SecureString' })))).toBe('ParameterAlreadyExists');
    await ssm.send(new PutParameterCommand({ Name: '/benchtop/lab/admin-token', Value: 'new', Type: 'SecureString', Overwrite: true }));
    const got = await ssm.send(new GetParameterCommand({ Name: '/benchtop/lab/admin-token', WithDecryption: true }));
    expect(got.Parameter).toMatchObject({ Value: 'new', Version: 2, Type: 'SecureString' });
    expect((await ssm.send(new GetParameterCommand({ Name: '/benchtop/lab/admin-token' }))).Parameter?.Value).not.toBe('new');
    expect(await failure(ssm.send(new GetParameterCommand({ Name: '/benchtop/lab/none' })))).toBe('ParameterNotFound');
    // As SSM does, an overwrite without KeyId encrypts with the account's default key (aws/ssm).
    expect(fake.instance.parameters.get('/benchtop/lab/admin-token')?.keyId).toBeUndefined();
    // A String (the stack's placeholder) cannot become a SecureString in place.
    await ssm.send(new PutParameterCommand({ Name: '/benchtop/lab/worker-token', Value: 'pending', Type: 'String' }));
    expect(await failure(ssm.send(new PutParameterCommand({ Name: '/benchtop/lab/worker-token', Value: 'w', Type: 'SecureString', Overwrite: true })))).toBe('HierarchyTypeMismatchException');
  });

  it('CloudWatch records metrics with their dimensions and refuses the AWS/ namespaces', async () => {
    const { fake, cloudWatch } = await clients();
    await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'Benchtop/lab', MetricData: [{ MetricName: 'QueueDepth', Value: 3, Unit: 'Count', Dimensions: [{ Name: 'Queue', Value: 'cpu' }] }] }));
    expect(fake.instance.metrics).toEqual([{ namespace: 'Benchtop/lab', name: 'QueueDepth', value: 3, unit: 'Count', dimensions: { Queue: 'cpu' } }]);
    expect(await failure(cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] })))).toBe('InvalidParameterValueException');
  });

  it('CloudWatch Logs wants the group and stream first, and events in time order', async () => {
    const { fake, logs } = await clients();
    const put = (timestamps: number[]) => logs.send(new PutLogEventsCommand({ logGroupName: '/benchtop/lab/runs', logStreamName: 'runs/r1', logEvents: timestamps.map((timestamp, i) => ({ timestamp, message: `line ${i}` })) }));
    expect(await failure(put([1]))).toBe('ResourceNotFoundException');
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/benchtop/lab/runs' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/benchtop/lab/runs', logStreamName: 'runs/r1' }));
    expect(await failure(logs.send(new CreateLogStreamCommand({ logGroupName: '/benchtop/lab/runs', logStreamName: 'runs/r1' })))).toBe('ResourceAlreadyExistsException');
    expect(await failure(put([2, 1]))).toBe('InvalidParameterException');
    await put([1, 2]);
    expect(fake.instance.logs.get('/benchtop/lab/runs')?.get('runs/r1')).toEqual(['line 0', 'line 1']);
  });
});
