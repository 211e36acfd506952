import type { ServerResponse } from 'node:http';
import type { FakeInstanceServices, JsonAnswer } from './instance-services.js';
import { evaluateMetricMath, type Series } from './metric-math.js';
import { AwsFault, type Form, queryResponse, type XmlValue } from './wire.js';

// What the app's Observe pages read from AWS, on the same wire protocols as the SDK speaks them:
// CloudWatch (awsJson1_0: GetMetricData, DescribeAlarms, DescribeAlarmHistory,
// Disable/EnableAlarmActions), CloudWatch Logs (awsJson1_1: FilterLogEvents, DescribeLogStreams;
// StartLiveTail is refused, so the app's polling fallback is what runs against the fake) and SNS
// (query protocol: ListSubscriptionsByTopic, Subscribe, Unsubscribe), with the documented limits
// and error names. Data points are seeded by tests (`putPoint`) and taken from what the agents
// publish (PutMetricData, stamped when first read); log events get the time they were first read.

export interface FakeDatapoint {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** Epoch ms. */
  at: number;
  value: number;
}

export interface FakeMetricAlarm {
  AlarmName: string;
  AlarmDescription?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: string }[];
  Statistic?: string;
  Period?: number;
  EvaluationPeriods?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  Metrics?: unknown[];
  StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  StateReason: string;
  /** Epoch ms. */
  StateUpdatedTimestamp: number;
  ActionsEnabled: boolean;
}

interface Subscription {
  topicArn: string;
  arn: string;
  protocol: string;
  endpoint: string;
  pending: boolean;
}

interface MetricQuery {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  Expression?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] }; Period?: number; Stat?: string };
}

const fault = (status: number, type: string, message: string): JsonAnswer => ({ status, body: { __type: type, message } });
const ok = (body: unknown = {}): JsonAnswer => ({ status: 200, body });
const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const ID = /^[a-z][a-zA-Z0-9_]*$/;
/** GetMetricData's own limit (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html). */
const MAX_DATAPOINTS = 100_800;

function statOf(values: number[], stat: string): number {
  const sorted = [...values].sort((a, b) => a - b);
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return sorted[0]!;
    case 'Maximum':
      return sorted.at(-1)!;
    case 'SampleCount':
      return values.length;
    default: {
      const p = /^p(\d+(?:\.\d+)?)$/.exec(stat);
      if (!p) throw new AwsFault('InvalidParameterValueException', `The value ${stat} for parameter MetricDataQueries.member.MetricStat.Stat is not valid.`);
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((Number(p[1]) / 100) * sorted.length) - 1))]!;
    }
  }
}

export class FakeObserve {
  readonly datapoints: FakeDatapoint[] = [];
  readonly alarms = new Map<string, FakeMetricAlarm>();
  readonly history: { alarm: string; at: number; type: string; summary: string }[] = [];
  readonly topics = new Set<string>();
  readonly subscriptions: Subscription[] = [];
  private ingested = 0;
  private readonly logTimes = new Map<string, number[]>();
  private nextSubscription = 1;

  constructor(private readonly instance: FakeInstanceServices) {}

  putPoint(point: FakeDatapoint): void {
    this.datapoints.push(point);
  }

  addAlarm(alarm: Omit<FakeMetricAlarm, 'StateValue' | 'StateReason' | 'StateUpdatedTimestamp' | 'ActionsEnabled'> & Partial<FakeMetricAlarm>): void {
    this.alarms.set(alarm.AlarmName, { StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', StateUpdatedTimestamp: Date.now(), ActionsEnabled: true, ...alarm });
  }

  /** What CloudWatch does when an alarm's evaluation changes its state. */
  setAlarmState(name: string, state: FakeMetricAlarm['StateValue'], reason: string): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no alarm ${name}`);
    this.history.unshift({ alarm: name, at: Date.now(), type: 'StateUpdate', summary: `Alarm updated from ${alarm.StateValue} to ${state}` });
    Object.assign(alarm, { StateValue: state, StateReason: reason, StateUpdatedTimestamp: Date.now() });
  }

  /** The owner of the address followed the link AWS mailed. */
  confirm(endpoint: string): void {
    const s = this.subscriptions.find((x) => x.endpoint === endpoint);
    if (s) s.pending = false;
  }

  /** CloudWatch and CloudWatch Logs operations; undefined for one this fake does not know. */
  handle(service: string, operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    try {
      if (service === 'monitoring') return this.cloudWatch(operation, input);
      if (service === 'logs') return this.logs(operation, input);
      return undefined;
    } catch (e) {
      if (e instanceof AwsFault) return fault(e.status, e.code, e.message);
      throw e;
    }
  }

  private cloudWatch(operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    switch (operation) {
      case 'GetMetricData':
        return this.getMetricData(input);
      case 'DescribeAlarms':
        return this.describeAlarms(input);
      case 'DescribeAlarmHistory': {
        const name = typeof input.AlarmName === 'string' ? input.AlarmName : undefined;
        const items = this.history.filter((h) => !name || h.alarm === name);
        const ordered = input.ScanBy === 'TimestampAscending' ? [...items].reverse() : items;
        const max = Number(input.MaxRecords ?? 100);
        return ok({
          AlarmHistoryItems: ordered.slice(0, max).map((h) => ({ AlarmName: h.alarm, AlarmType: 'MetricAlarm', Timestamp: h.at / 1000, HistoryItemType: h.type, HistorySummary: h.summary })),
        });
      }
      case 'DisableAlarmActions':
      case 'EnableAlarmActions': {
        const names = (input.AlarmNames as string[] | undefined) ?? [];
        if (names.length > 100) return fault(400, 'InvalidParameterValueException', 'The collection AlarmNames must have at most 100 items.');
        for (const n of names) {
          const a = this.alarms.get(n);
          if (!a) continue;
          a.ActionsEnabled = operation === 'EnableAlarmActions';
          this.history.unshift({ alarm: n, at: Date.now(), type: 'Action', summary: `Alarm actions ${a.ActionsEnabled ? 'enabled' : 'disabled'}` });
        }
        return ok();
      }
      default:
        return undefined;
    }
  }

  private describeAlarms(input: Record<string, unknown>): JsonAnswer {
    const names = input.AlarmNames as string[] | undefined;
    const prefix = input.AlarmNamePrefix as string | undefined;
    if (names && prefix) return fault(400, 'InvalidParameterCombinationException', 'AlarmNamePrefix and AlarmNames cannot be specified together.');
    const types = (input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
    const max = Number(input.MaxRecords ?? 50);
    if (max < 1 || max > 100) return fault(400, 'InvalidParameterValueException', 'The value for MaxRecords must be between 1 and 100.');
    const all = [...this.alarms.values()]
      .filter((a) => (!names || names.includes(a.AlarmName)) && (!prefix || a.AlarmName.startsWith(prefix)) && (!input.StateValue || a.StateValue === input.StateValue))
      .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
    const from = Number(input.NextToken ?? 0);
    const page = types.includes('MetricAlarm') ? all.slice(from, from + max) : [];
    return ok({
      MetricAlarms: page.map((a) => ({ ...a, AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${a.AlarmName}`, StateUpdatedTimestamp: a.StateUpdatedTimestamp / 1000 })),
      CompositeAlarms: [],
      ...(types.includes('MetricAlarm') && from + max < all.length ? { NextToken: String(from + max) } : {}),
    });
  }

  private ingest(): void {
    const now = Date.now();
    for (; this.ingested < this.instance.metrics.length; this.ingested += 1) {
      const m = this.instance.metrics[this.ingested]!;
      this.datapoints.push({ namespace: m.namespace, name: m.name, dimensions: m.dimensions, at: now, value: m.value });
    }
  }

  private getMetricData(input: Record<string, unknown>): JsonAnswer {
    this.ingest();
    const queries = (input.MetricDataQueries as MetricQuery[] | undefined) ?? [];
    if (queries.length === 0 || queries.length > 500) return fault(400, 'ValidationError', 'The collection MetricDataQueries must contain between 1 and 500 items.');
    const ids = new Set<string>();
    for (const q of queries) {
      if (!q.Id || !ID.test(q.Id)) return fault(400, 'ValidationError', `Invalid metric id ${String(q.Id)}: it must start with a lowercase letter and hold only letters, digits and underscores.`);
      if (ids.has(q.Id)) return fault(400, 'ValidationError', `The metric id ${q.Id} is used twice.`);
      ids.add(q.Id);
      if (Boolean(q.Expression) === Boolean(q.MetricStat)) return fault(400, 'ValidationError', `The query ${q.Id} must have exactly one of Expression and MetricStat.`);
      const p = q.MetricStat?.Period;
      if (q.MetricStat && (!p || (p >= 60 ? p % 60 !== 0 : ![1, 5, 10, 30].includes(p)))) return fault(400, 'ValidationError', `The Period of ${q.Id} must be 1, 5, 10, 30 or a multiple of 60.`);
    }
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    if (!(start < end)) return fault(400, 'ValidationError', 'The parameter StartTime must be less than the parameter EndTime.');
    const period = queries.find((q) => q.MetricStat)?.MetricStat?.Period ?? 60;
    const first = Math.ceil(start / 1000 / period) * period;
    const timestamps: number[] = [];
    for (let t = first; t < end / 1000; t += period) timestamps.push(t);
    const series = new Map<string, Series>();
    for (const q of queries) {
      if (!q.MetricStat) continue;
      const { Metric, Period = 60, Stat = 'Average' } = q.MetricStat;
      const want = Object.fromEntries((Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const buckets = new Map<number, number[]>();
      for (const d of this.datapoints) {
        if (d.namespace !== Metric?.Namespace || d.name !== Metric.MetricName || d.at < start || d.at >= end) continue;
        // CloudWatch matches the exact set of dimensions.
        if (Object.keys(d.dimensions).length !== Object.keys(want).length || Object.entries(want).some(([k, v]) => d.dimensions[k] !== v)) continue;
        const bucket = Math.floor(d.at / 1000 / Period) * Period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), d.value]);
      }
      series.set(q.Id!, new Map([...buckets].map(([t, vs]) => [t, statOf(vs, Stat)])));
    }
    const periods = new Map(queries.map((q) => [q.Id!, q.MetricStat?.Period ?? period]));
    for (const q of queries) if (q.Expression) series.set(q.Id!, evaluateMetricMath(q.Expression, series, timestamps, period, periods));
    const descending = input.ScanBy !== 'TimestampAscending';
    const results = queries
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const points = [...series.get(q.Id!)!].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
        return { Id: q.Id, Label: q.Label ?? q.MetricStat?.Metric?.MetricName ?? q.Id, Timestamps: points.map((p) => p[0]), Values: points.map((p) => p[1]), StatusCode: 'Complete' };
      });
    const max = Number(input.MaxDatapoints ?? MAX_DATAPOINTS);
    // Pages split by result, so each page holds at most `max` points (the token: the next result).
    const from = Number(input.NextToken ?? 0);
    let count = 0;
    let to = from;
    while (to < results.length && (to === from || count + results[to]!.Values.length <= max)) count += results[to++]!.Values.length;
    return ok({ MetricDataResults: results.slice(from, to), Messages: [], ...(to < results.length ? { NextToken: String(to) } : {}) });
  }

  private eventsOf(group: string, stream: string): { at: number; message: string }[] {
    const messages = this.instance.logs.get(group)?.get(stream) ?? [];
    const key = `${group}\u0000${stream}`;
    const times = this.logTimes.get(key) ?? [];
    while (times.length < messages.length) times.push(Date.now());
    this.logTimes.set(key, times);
    return messages.map((message, i) => ({ at: times[i]!, message }));
  }

  private logs(operation: string, input: Record<string, unknown>): JsonAnswer | undefined {
    const group = String(input.logGroupName ?? input.logGroupIdentifier ?? '');
    const streams = this.instance.logs.get(group);
    switch (operation) {
      case 'StartLiveTail':
        return fault(400, 'InvalidOperationException', 'The fake AWS does not stream Live Tail sessions; use FilterLogEvents.');
      case 'DescribeLogStreams': {
        if (!streams) return fault(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
        const list = [...streams.keys()].map((name) => ({ logStreamName: name, lastEventTimestamp: this.eventsOf(group, name).at(-1)?.at }));
        if (input.orderBy === 'LastEventTime') list.sort((a, b) => (input.descending ? (b.lastEventTimestamp ?? 0) - (a.lastEventTimestamp ?? 0) : (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0)));
        return ok({ logStreams: list.slice(0, Number(input.limit ?? 50)) });
      }
      case 'FilterLogEvents': {
        if (!streams) return fault(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
        const names = (input.logStreamNames as string[] | undefined) ?? [...streams.keys()];
        const start = Number(input.startTime ?? 0);
        const end = input.endTime === undefined ? Infinity : Number(input.endTime);
        const terms = String(input.filterPattern ?? '')
          .split(/\s+/)
          .filter(Boolean);
        const events = names
          .flatMap((name) => this.eventsOf(group, name).map((e, i) => ({ logStreamName: name, timestamp: e.at, ingestionTime: e.at, message: e.message, eventId: `${name}-${i}` })))
          .filter((e) => e.timestamp >= start && e.timestamp <= end && terms.every((t) => (t.startsWith('-') ? !e.message.includes(t.slice(1)) : e.message.includes(t.replace(/^"|"$/g, '')))))
          .sort((a, b) => a.timestamp - b.timestamp);
        const from = Number(input.nextToken ?? 0);
        const limit = Math.min(Number(input.limit ?? 10_000), 10_000);
        return ok({ events: events.slice(from, from + limit), ...(from + limit < events.length ? { nextToken: String(from + limit) } : {}) });
      }
      default:
        return undefined;
    }
  }

  /** SNS, on the query protocol. */
  sns(action: string, form: Form, response: ServerResponse): void {
    const topic = form.get('TopicArn') ?? '';
    const result = (body: { [key: string]: XmlValue }) => queryResponse(response, action, SNS_XMLNS, body);
    switch (action) {
      case 'ListSubscriptionsByTopic': {
        if (!this.topics.has(topic)) throw new AwsFault('NotFound', 'Topic does not exist', 404);
        const mine = this.subscriptions.filter((s) => s.topicArn === topic);
        const from = Number(form.get('NextToken') ?? 0);
        const page = mine.slice(from, from + 100);
        return result({
          Subscriptions: page.map((s) => ({ SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn, Owner: '123456789012', Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn })),
          ...(from + 100 < mine.length ? { NextToken: String(from + 100) } : {}),
        });
      }
      case 'Subscribe': {
        if (!this.topics.has(topic)) throw new AwsFault('NotFound', 'Topic does not exist', 404);
        const protocol = form.get('Protocol') ?? '';
        const endpoint = form.get('Endpoint') ?? '';
        if (protocol === 'email' && !/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw new AwsFault('InvalidParameter', 'Invalid parameter: Email address');
        let s = this.subscriptions.find((x) => x.topicArn === topic && x.protocol === protocol && x.endpoint === endpoint);
        // Subscribing a pending address again mails the link again; a confirmed one answers its ARN.
        if (!s) this.subscriptions.push((s = { topicArn: topic, arn: `${topic}:sub-${this.nextSubscription++}`, protocol, endpoint, pending: protocol === 'email' }));
        return result({ SubscriptionArn: s.pending ? 'pending confirmation' : s.arn });
      }
      case 'Unsubscribe': {
        const arn = form.get('SubscriptionArn') ?? '';
        const at = this.subscriptions.findIndex((s) => s.arn === arn && !s.pending);
        if (at < 0) throw new AwsFault('NotFound', 'Subscription does not exist', 404);
        this.subscriptions.splice(at, 1);
        return result({});
      }
      default:
        throw new AwsFault('InvalidAction', `The fake SNS does not implement ${action}.`);
    }
  }
}
