import {
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { ApiError } from '../../../common/api/errors.js';
import type { AlarmInfo, AlarmState } from '../../../common/api/observe.contract.js';
import { bucketTimestamps } from '../time-range.js';
import { aligned, getMetricData } from './get-metric-data.js';

const RECENT_MS = 6 * 3_600_000;
const MAX_PAGES = 20;

/** CloudFormation names an alarm without AlarmName "<stack>-<LogicalId>-<suffix>": the stack's alarms share that prefix. */
export function stackAlarmPrefix(stackName: string): string {
  return `${stackName}-`;
}

/**
 * Whether CloudFormation named the alarm for this stack: "<stack>-<LogicalId>-<suffix>", where
 * neither the logical id nor the suffix has a hyphen. The prefix alone would take the alarms of
 * a stack "lab-prod" for those of a stack "lab".
 */
export function isStackAlarm(stackName: string, name: string): boolean {
  const prefix = stackAlarmPrefix(stackName);
  return name.startsWith(prefix) && /^[A-Za-z0-9]+-[A-Za-z0-9]+$/.test(name.slice(prefix.length));
}

function checkOwned(stackName: string, name: string): void {
  if (!isStackAlarm(stackName, name)) {
    throw new ApiError('bad-input', `The alarm "${name}" is not one of the stack ${stackName}'s alarms.`, `Pick an alarm whose name starts with "${stackAlarmPrefix(stackName)}".`);
  }
}

async function describeAll(cw: CloudWatchClient, stackName: string, names?: string[]): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await cw.send(
      new DescribeAlarmsCommand({ ...(names ? { AlarmNames: names } : { AlarmNamePrefix: stackAlarmPrefix(stackName) }), AlarmTypes: ['MetricAlarm'], ...(token ? { NextToken: token } : {}) }),
    );
    alarms.push(...(answer.MetricAlarms ?? []).filter((a) => isStackAlarm(stackName, a.AlarmName ?? '')));
    token = answer.NextToken;
    if (!token) break;
  }
  return alarms;
}

/**
 * The queries that draw each alarm's metric: its own metric and statistic, or its metric math
 * with every id prefixed (ids must be unique across one GetMetricData call, and an expression
 * names the ids it uses). Answers the id whose values are the alarm's.
 */
export function alarmQueries(alarm: MetricAlarm, index: number): { queries: MetricDataQuery[]; id: string } | undefined {
  const prefix = `a${index}_`;
  if (alarm.MetricName) {
    const id = `${prefix}m`;
    const stat = alarm.ExtendedStatistic ?? alarm.Statistic ?? 'Average';
    return { id, queries: [{ Id: id, MetricStat: { Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }, Period: alarm.Period ?? 60, Stat: stat }, ReturnData: true }] };
  }
  const metrics = alarm.Metrics ?? [];
  const shown = metrics.find((m) => m.ReturnData !== false);
  if (!shown?.Id) return undefined;
  const ids = metrics.map((m) => m.Id!).filter(Boolean);
  const rename = (expression: string) => ids.reduce((e, id) => e.replace(new RegExp(`\\b${id}\\b`, 'g'), `${prefix}${id}`), expression);
  return {
    id: `${prefix}${shown.Id}`,
    queries: metrics.map((m) => ({
      Id: `${prefix}${m.Id}`,
      ReturnData: m === shown,
      ...(m.Expression ? { Expression: rename(m.Expression) } : {}),
      ...(m.MetricStat ? { MetricStat: m.MetricStat } : {}),
      ...(m.Label ? { Label: m.Label } : {}),
    })),
  };
}

function info(alarm: MetricAlarm, mutes: ReadonlyMap<string, string>): AlarmInfo {
  const name = alarm.AlarmName ?? '';
  const muteReason = mutes.get(name);
  return {
    name,
    description: alarm.AlarmDescription ?? '',
    state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
    reason: alarm.StateReason ?? '',
    since: alarm.StateUpdatedTimestamp ? new Date(alarm.StateUpdatedTimestamp).getTime() : 0,
    actionsEnabled: alarm.ActionsEnabled !== false,
    ...(alarm.ActionsEnabled === false && muteReason ? { muteReason } : {}),
    ...(alarm.Threshold !== undefined ? { threshold: alarm.Threshold } : {}),
    ...(alarm.ComparisonOperator ? { comparison: alarm.ComparisonOperator } : {}),
    ...(alarm.MetricName?.includes('Percent') ? { unit: 'percent' as const } : {}),
  };
}

/** The stack's alarms with their last 6 hours drawn from one GetMetricData call; in ALARM first. */
export async function listStackAlarms(cw: CloudWatchClient, stackName: string, mutes: ReadonlyMap<string, string>, now = Date.now()): Promise<AlarmInfo[]> {
  const alarms = await describeAll(cw, stackName);
  const withQueries = alarms.map((a, i) => ({ alarm: a, q: alarmQueries(a, i) }));
  const queries = withQueries.flatMap((x) => x.q?.queries ?? []);
  const recent = queries.length > 0 ? await getMetricData(cw, queries, now - RECENT_MS, now).catch(() => undefined) : undefined;
  const order: Record<AlarmState, number> = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
  return withQueries
    .map(({ alarm, q }) => {
      const base = info(alarm, mutes);
      if (!recent || !q) return base;
      const period = alarm.Period ?? alarm.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 300;
      const timestamps = bucketTimestamps(now - RECENT_MS, now, period);
      return { ...base, recent: { timestamps, values: aligned(recent, q.id, timestamps) } };
    })
    .sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
}

export async function stackAlarmHistory(cw: CloudWatchClient, stackName: string, name: string): Promise<{ at: number; type: string; summary: string }[]> {
  checkOwned(stackName, name);
  const answer = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, MaxRecords: 50, ScanBy: 'TimestampDescending' }));
  return (answer.AlarmHistoryItems ?? []).map((h) => ({ at: h.Timestamp ? new Date(h.Timestamp).getTime() : 0, type: h.HistoryItemType ?? '', summary: h.HistorySummary ?? '' }));
}

/** Turns the alarm's actions off (muted: it still changes state, nobody is told) or on again, and answers it as it is now. */
export async function setStackAlarmMuted(cw: CloudWatchClient, stackName: string, name: string, muted: boolean, mutes: ReadonlyMap<string, string>): Promise<AlarmInfo> {
  checkOwned(stackName, name);
  const [existing] = await describeAll(cw, stackName, [name]);
  if (!existing) throw new ApiError('not-found', `There is no alarm "${name}".`, 'Reload the list: it may have been removed with a stack update.');
  await cw.send(muted ? new DisableAlarmActionsCommand({ AlarmNames: [name] }) : new EnableAlarmActionsCommand({ AlarmNames: [name] }));
  const [after] = await describeAll(cw, stackName, [name]);
  return info(after ?? { ...existing, ActionsEnabled: !muted }, mutes);
}
