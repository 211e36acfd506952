import { CloudWatchClient, DescribeAlarmsCommand, DisableAlarmActionsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateMetricMath } from './metric-math.js';
import { type FakeAws, startFakeAws } from './server.js';

// Through the real SDK clients and their wire protocols, as the app's Observe pages call them.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function clients() {
  fake = await startFakeAws();
  const config = { region: 'us-east-1', endpoint: fake.url, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 };
  return { fake, cw: new CloudWatchClient(config), logs: new CloudWatchLogsClient({ ...config, disableHostPrefix: true }), sns: new SNSClient(config) };
}

const failure = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);
const MIN = 60_000;

describe('fake AWS for Observe', () => {
  it('answers GetMetricData by period and statistic, with metric math, paged under MaxDatapoints', async () => {
    const { fake, cw } = await clients();
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    for (let m = 0; m < 10; m += 1) {
      fake.observe.putPoint({ namespace: 'Benchtop/lab', name: 'QueueDepth', dimensions: { Queue: 'cpu' }, at: t0 + m * MIN + 1000, value: m });
      fake.observe.putPoint({ namespace: 'Benchtop/lab', name: 'QueueDepth', dimensions: { Queue: 'cpu' }, at: t0 + m * MIN + 2000, value: m + 10 });
    }
    const metric = { Namespace: 'Benchtop/lab', MetricName: 'QueueDepth', Dimensions: [{ Name: 'Queue', Value: 'cpu' }] };
    const answer = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 10 * MIN),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { Id: 'mx', MetricStat: { Metric: metric, Period: 60, Stat: 'Maximum' } },
          { Id: 'sum5', MetricStat: { Metric: metric, Period: 300, Stat: 'Sum' }, ReturnData: false },
          { Id: 'rate', Expression: 'sum5 / PERIOD(sum5)', Label: 'per second' },
        ],
      }),
    );
    const mx = answer.MetricDataResults!.find((r) => r.Id === 'mx')!;
    expect(mx.Values!.slice(0, 3)).toEqual([10, 11, 12]);
    expect(mx.Timestamps![0]!.getTime()).toBe(t0);
    expect(answer.MetricDataResults!.map((r) => r.Id)).toEqual(['mx', 'rate']);
    // The first five minutes: 0..4 and 10..14 summed (70), over 300 seconds.
    expect(answer.MetricDataResults!.find((r) => r.Id === 'rate')!.Values![0]).toBeCloseTo(70 / 300);
    const paged = await cw.send(
      new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 10 * MIN), MaxDatapoints: 10, MetricDataQueries: [{ Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } }, { Id: 'b', MetricStat: { Metric: metric, Period: 60, Stat: 'Minimum' } }] }),
    );
    expect(paged.MetricDataResults!.map((r) => r.Id)).toEqual(['a']);
    expect(paged.NextToken).toBeDefined();
    expect(await failure(cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0), MetricDataQueries: [{ Id: 'a', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } }] })))).toMatch(/^Validation(Error|Exception)$/);
    expect(await failure(cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + MIN), MetricDataQueries: [{ Id: 'Bad', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } }] })))).toMatch(/^Validation(Error|Exception)$/);
  });

  it('serves what the agents published with PutMetricData, stamped when first read', async () => {
    const { cw } = await clients();
    await cw.send(new PutMetricDataCommand({ Namespace: 'Benchtop/lab', MetricData: [{ MetricName: 'FailedRuns', Value: 2, Unit: 'Count' }] }));
    const now = Date.now();
    const answer = await cw.send(new GetMetricDataCommand({ StartTime: new Date(now - 10 * MIN), EndTime: new Date(now + MIN), MetricDataQueries: [{ Id: 'f', MetricStat: { Metric: { Namespace: 'Benchtop/lab', MetricName: 'FailedRuns' }, Period: 60, Stat: 'Sum' } }] }));
    expect(answer.MetricDataResults![0]!.Values).toEqual([2]);
  });

  it('lists alarms by prefix, disables their actions, and refuses prefix and names together', async () => {
    const { fake, cw } = await clients();
    fake.observe.addAlarm({ AlarmName: 'lab-FailedRunsAlarm-1', Namespace: 'Benchtop/lab', MetricName: 'FailedRuns', Statistic: 'Sum', Period: 3600, Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    fake.observe.addAlarm({ AlarmName: 'other-Alarm' });
    fake.observe.setAlarmState('lab-FailedRunsAlarm-1', 'ALARM', 'Threshold Crossed');
    const listed = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'lab-' }));
    expect(listed.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue, a.ActionsEnabled])).toEqual([['lab-FailedRunsAlarm-1', 'ALARM', true]]);
    expect(listed.MetricAlarms![0]!.StateUpdatedTimestamp).toBeInstanceOf(Date);
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['lab-FailedRunsAlarm-1'] }));
    expect(fake.observe.alarms.get('lab-FailedRunsAlarm-1')!.ActionsEnabled).toBe(false);
    expect(await failure(cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'lab-', AlarmNames: ['x'] })))).toBe('InvalidParameterCombinationException');
  });

  it('filters log events by time and pattern, and refuses Live Tail', async () => {
    const { logs } = await clients();
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/benchtop/lab/services' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/benchtop/lab/services', logStreamName: 'i-1/services' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: '/benchtop/lab/services', logStreamName: 'i-1/services', logEvents: [{ timestamp: Date.now(), message: 'ERROR lease lost' }, { timestamp: Date.now(), message: 'INFO ok' }] }));
    const found = await logs.send(new FilterLogEventsCommand({ logGroupName: '/benchtop/lab/services', startTime: Date.now() - MIN, filterPattern: 'ERROR' }));
    expect(found.events!.map((e) => e.message)).toEqual(['ERROR lease lost']);
    expect(await failure(logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' })))).toBe('ResourceNotFoundException');
    expect(await failure(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['arn:aws:logs:us-east-1:1:log-group:/benchtop/lab/services'] })))).toBe('InvalidOperationException');
  });

  it('keeps an email subscription pending until confirmed, and removes only confirmed ones', async () => {
    const { fake, sns } = await clients();
    const topic = 'arn:aws:sns:us-east-1:123456789012:lab-alarms';
    fake.observe.topics.add(topic);
    expect((await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'pi@lab.org' }))).SubscriptionArn).toBe('pending confirmation');
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
    expect(listed.Subscriptions).toEqual([expect.objectContaining({ SubscriptionArn: 'PendingConfirmation', Endpoint: 'pi@lab.org', Protocol: 'email' })]);
    fake.observe.confirm('pi@lab.org');
    const arn = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions![0]!.SubscriptionArn!;
    expect(arn.startsWith(`${topic}:`)).toBe(true);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    expect(fake.observe.subscriptions).toEqual([]);
    expect(await failure(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: `${topic}-gone` })))).toBe('NotFoundException');
  });
});

describe('metric math', () => {
  it('fills gaps, compares and chooses with IF as the stack\'s stuck-queue alarm does', () => {
    const ts = [0, 60, 120];
    const q = new Map([[0, 2], [120, 1]]);
    const r = new Map([[60, 1]]);
    expect([...evaluateMetricMath('FILL(q, 0) + FILL(r, 0)', new Map([['q', q], ['r', r]]), ts, 60)]).toEqual([[0, 2], [60, 1], [120, 1]]);
    expect([...evaluateMetricMath('IF(FILL(q, 0) > 0 AND FILL(r, 0) == 0, 1, 0)', new Map([['q', q], ['r', r]]), ts, 60)]).toEqual([[0, 1], [60, 0], [120, 1]]);
    expect(() => evaluateMetricMath('x + 1', new Map(), ts, 60)).toThrow(/Unrecognized metric id x/);
  });
});
