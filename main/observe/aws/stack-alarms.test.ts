import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listTopicSubscriptions, subscribeEmail, unsubscribe } from './alarm-topic.js';
import { alarmQueries, listStackAlarms, setStackAlarmMuted, stackAlarmHistory } from './stack-alarms.js';

const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const TOPIC = 'arn:aws:sns:eu-west-1:210987654321:lab-AlarmTopic-X';
const client = () => new CloudWatchClient({ region: 'eu-west-1' });

const diskAlarm = {
  AlarmName: 'lab-DataDiskAlarm-ABC',
  AlarmDescription: 'The services data volume is more than 85% full.',
  StateValue: 'ALARM' as const,
  StateReason: 'Threshold Crossed: 1 datapoint [91.0] was >= the threshold (85.0).',
  StateUpdatedTimestamp: new Date(NOW - 600_000),
  ActionsEnabled: true,
  Namespace: 'Benchtop/lab',
  MetricName: 'DataDiskUsedPercent',
  Statistic: 'Maximum' as const,
  Period: 300,
  Threshold: 85,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
};
const stuckAlarm = {
  AlarmName: 'lab-QueueStuckAlarm-DEF',
  StateValue: 'OK' as const,
  StateUpdatedTimestamp: new Date(NOW - 86_400_000),
  Threshold: 1,
  Metrics: [
    { Id: 'q', ReturnData: false, MetricStat: { Metric: { Namespace: 'Benchtop/lab', MetricName: 'QueueDepth' }, Period: 300, Stat: 'Minimum' } },
    { Id: 'stuck', Expression: 'IF(FILL(q, 0) > 0, 1, 0)', ReturnData: true },
  ],
};

beforeEach(() => {
  cw.reset();
  sns.reset();
});

describe('the stack\'s alarms', () => {
  it('lists the alarms with the stack\'s prefix, in ALARM first, with their recent values in one call', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [stuckAlarm, diskAlarm] });
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[] }) => ({
      MetricDataResults: [{ Id: input.MetricDataQueries.find((q) => q.Id.endsWith('_m'))!.Id, Timestamps: [new Date(NOW - 300_000)], Values: [91] }],
    }));
    const alarms = await listStackAlarms(client(), 'lab', new Map(), NOW);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input.AlarmNamePrefix).toBe('lab-');
    expect(alarms.map((a) => a.name)).toEqual(['lab-DataDiskAlarm-ABC', 'lab-QueueStuckAlarm-DEF']);
    expect(alarms[0]).toMatchObject({ state: 'ALARM', threshold: 85, since: NOW - 600_000, unit: 'percent' });
    expect(alarms[0]!.recent!.values.filter((v) => v !== null)).toEqual([91]);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it('leaves out, and refuses to mute, the alarms of another stack whose name starts with this one\'s', async () => {
    const otherStack = { ...diskAlarm, AlarmName: 'lab-prod-DataDiskAlarm-XYZ' };
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [diskAlarm, otherStack] });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    expect((await listStackAlarms(client(), 'lab', new Map(), NOW)).map((a) => a.name)).toEqual(['lab-DataDiskAlarm-ABC']);
    await expect(setStackAlarmMuted(client(), 'lab', otherStack.AlarmName, true, new Map())).rejects.toMatchObject({ code: 'bad-input' });
    expect(cw.commandCalls(DisableAlarmActionsCommand)).toHaveLength(0);
  });

  it('renames the ids of an alarm\'s metric math so several alarms fit one call', () => {
    const q = alarmQueries(stuckAlarm, 3)!;
    expect(q.id).toBe('a3_stuck');
    expect(q.queries.find((x) => x.Id === 'a3_stuck')!.Expression).toBe('IF(FILL(a3_q, 0) > 0, 1, 0)');
    expect(q.queries.filter((x) => x.ReturnData).map((x) => x.Id)).toEqual(['a3_stuck']);
  });

  it('mutes with DisableAlarmActions and unmutes with EnableAlarmActions, and keeps the app\'s reason', async () => {
    let enabled = true;
    cw.on(DescribeAlarmsCommand).callsFake(() => ({ MetricAlarms: [{ ...diskAlarm, ActionsEnabled: enabled }] }));
    cw.on(DisableAlarmActionsCommand).callsFake(() => ((enabled = false), {}));
    cw.on(EnableAlarmActionsCommand).callsFake(() => ((enabled = true), {}));
    const muted = await setStackAlarmMuted(client(), 'lab', diskAlarm.AlarmName, true, new Map([[diskAlarm.AlarmName, 'resizing the volume']]));
    expect(muted).toMatchObject({ actionsEnabled: false, muteReason: 'resizing the volume' });
    expect(cw.commandCalls(DisableAlarmActionsCommand)[0]!.args[0].input.AlarmNames).toEqual([diskAlarm.AlarmName]);
    const unmuted = await setStackAlarmMuted(client(), 'lab', diskAlarm.AlarmName, false, new Map());
    expect(unmuted.actionsEnabled).toBe(true);
    expect(unmuted.muteReason).toBeUndefined();
  });

  it('refuses to touch an alarm that is not the stack\'s', async () => {
    await expect(setStackAlarmMuted(client(), 'lab', 'other-Alarm', true, new Map())).rejects.toMatchObject({ code: 'bad-input' });
    expect(cw.commandCalls(DisableAlarmActionsCommand)).toHaveLength(0);
  });

  it('reads the history newest first', async () => {
    cw.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [{ Timestamp: new Date(NOW), HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from OK to ALARM' }] });
    expect(await stackAlarmHistory(client(), 'lab', diskAlarm.AlarmName)).toEqual([{ at: NOW, type: 'StateUpdate', summary: 'Alarm updated from OK to ALARM' }]);
    expect(cw.commandCalls(DescribeAlarmHistoryCommand)[0]!.args[0].input.ScanBy).toBe('TimestampDescending');
  });
});

describe('the alarm topic', () => {
  const snsClient = () => new SNSClient({ region: 'eu-west-1' });

  it('shows pending confirmations, across pages', async () => {
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1111`, Protocol: 'email', Endpoint: 'pi@lab.org' }], NextToken: 't2' });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 't2' }).resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'new@lab.org' }] });
    expect(await listTopicSubscriptions(snsClient(), TOPIC)).toEqual([
      { arn: `${TOPIC}:1111`, protocol: 'email', endpoint: 'pi@lab.org', pending: false },
      { arn: 'PendingConfirmation', protocol: 'email', endpoint: 'new@lab.org', pending: true },
    ]);
  });

  it('subscribes an address (pending until confirmed) and removes only the topic\'s confirmed subscriptions', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    sns.on(UnsubscribeCommand).resolves({});
    expect(await subscribeEmail(snsClient(), TOPIC, 'new@lab.org')).toEqual({ pending: true });
    expect(sns.commandCalls(SubscribeCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Protocol: 'email', Endpoint: 'new@lab.org' });
    await expect(unsubscribe(snsClient(), TOPIC, 'PendingConfirmation')).rejects.toMatchObject({ code: 'bad-input' });
    await expect(unsubscribe(snsClient(), TOPIC, 'arn:aws:sns:eu-west-1:1:other:2')).rejects.toMatchObject({ code: 'bad-input' });
    expect(await unsubscribe(snsClient(), TOPIC, `${TOPIC}:1111`)).toEqual({ removed: true });
    expect(sns.commandCalls(UnsubscribeCommand)).toHaveLength(1);
  });
});
