import { z } from 'zod';
import { defineCall, defineEvent } from './contract.js';
import { deployTarget } from './deploy.contract.js';
import { stackName } from './settings.contract.js';

// Observe (main/observe/): charts, logs and alarms of one source — a deployed stack, read from
// CloudWatch with the admin's own credentials, or the local sandbox, read from its agents'
// /metrics, log files and the app's own alarm rules. The renderer names the source in every call.

export const observeSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z.object({ kind: z.literal('stack'), target: deployTarget, stackName }).strict(),
]);
export type ObserveSource = z.infer<typeof observeSource>;

/** The sources the app knows: the sandbox it started (if any) and the saved deployments. */
export const listObserveSources = defineCall('observe:list-sources', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ sources: z.array(z.object({ id: z.string(), label: z.string(), source: observeSource })) }),
});

export const rangePreset = z.enum(['1h', '6h', '24h', '7d']);
export type RangePreset = z.infer<typeof rangePreset>;

/** A preset up to now, or a custom span in epoch milliseconds (at most 455 days back, CloudWatch's retention). */
export const timeRange = z.union([
  z.object({ preset: rangePreset }).strict(),
  z
    .object({ from: z.number().int().min(0), to: z.number().int().min(0) })
    .strict()
    .refine((r) => r.to > r.from, { message: 'must end after it starts (to > from)' })
    .refine((r) => r.to - r.from <= 455 * 86_400_000, { message: 'must span at most 455 days' }),
]);
export type TimeRange = z.infer<typeof timeRange>;

export const chartUnit = z.enum(['count', 'percent', 'seconds', 'milliseconds', 'bytes', 'bytes/s', 'requests']);

export const chartSeries = z.object({
  label: z.string(),
  values: z.array(z.number().nullable()),
  /** A target rather than a measurement (desired capacity). */
  dashed: z.boolean().optional(),
});

export const chartData = z.object({
  id: z.string(),
  title: z.string(),
  unit: chartUnit,
  series: z.array(chartSeries),
  /** Why the chart is empty when it is ("no GPU worker has run in this range"). */
  emptyReason: z.string().optional(),
});
export type ChartData = z.infer<typeof chartData>;

export const metricsAnswer = z.object({
  /** Local: the sandbox's own history, sampled by the app since it started. */
  local: z.boolean(),
  from: z.number(),
  to: z.number(),
  /** Seconds between points, chosen to stay under GetMetricData's data-point limit. */
  period: z.number().int(),
  /** Epoch seconds shared by every series. */
  timestamps: z.array(z.number()),
  charts: z.array(chartData),
  /** Anything the reader should know (a metric AWS refused, the sandbox's history starting late). */
  notes: z.array(z.string()),
});
export type MetricsAnswer = z.infer<typeof metricsAnswer>;

export const getMetrics = defineCall('observe:get-metrics', {
  input: z.object({ source: observeSource, range: timeRange }).strict(),
  output: metricsAnswer,
});

// Logs -------------------------------------------------------------------------------------------

export const logGroupInfo = z.object({ id: z.string(), label: z.string(), name: z.string() });

export const listLogGroups = defineCall('observe:list-log-groups', {
  input: z.object({ source: observeSource }).strict(),
  output: z.object({ groups: z.array(logGroupInfo) }),
});

export const listLogStreams = defineCall('observe:list-log-streams', {
  input: z.object({ source: observeSource, group: z.string().min(1).max(512) }).strict(),
  output: z.object({ streams: z.array(z.object({ name: z.string(), lastEventAt: z.number().optional() })) }),
});

/** CloudWatch Logs' filter pattern syntax; the sandbox matches it as plain text (terms, "quoted phrase"). */
export const filterPattern = z.string().max(1024, 'must be at most 1024 characters');

export const logQuery = z.object({
  source: observeSource,
  /** A group id from observe:list-log-groups ("services", "workers", "runs"). */
  group: z.string().min(1).max(512),
  streams: z.array(z.string().min(1).max(512)).max(100, 'pick at most 100 streams').optional(),
  filterPattern: filterPattern.optional(),
});

/** A followed line as the log view shows it: `seq` numbers the lines of one follow, in order. */
export const observedLine = z.object({
  seq: z.number().int().min(1),
  ts: z.number(),
  stream: z.string(),
  text: z.string(),
});
export type ObservedLine = z.infer<typeof observedLine>;

/**
 * Follows a log group from `since` (epoch ms; default: 5 minutes ago): Live Tail on AWS, polling
 * when it is refused, the files' new lines in the sandbox. Batches at most every ~100 ms. `mode`
 * says how lines come; `sampled` when Live Tail sampled the stream (over 500 events/s).
 */
export const followObservedLogs = defineEvent('observe:follow-logs', {
  input: logQuery.extend({ since: z.number().int().min(0).optional() }).strict(),
  payload: z.object({
    lines: z.array(observedLine),
    mode: z.enum(['live-tail', 'polling', 'file']).optional(),
    sampled: z.boolean().optional(),
    notice: z.string().optional(),
  }),
});

/** Every line of a range, for a download (at most `limit`; `truncated` says when there were more). */
export const readLogRange = defineCall('observe:read-log-range', {
  input: logQuery.extend({ from: z.number().int().min(0), to: z.number().int().min(0), limit: z.number().int().min(1).max(200_000).default(50_000) }).strict(),
  output: z.object({ lines: z.array(observedLine), truncated: z.boolean() }),
});

/** Where a run's log is in the CloudWatch console, when `platformUrl` is a saved deployment's; null (and why) otherwise. */
export const runLogConsoleUrl = defineCall('observe:run-log-url', {
  input: z.object({ runId: z.string().min(1).max(200), platformUrl: z.string().max(2048) }).strict(),
  output: z.object({ url: z.string().nullable(), reason: z.string().optional() }),
});

// Alarms -----------------------------------------------------------------------------------------

export const alarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmState = z.infer<typeof alarmState>;

export const alarmInfo = z.object({
  name: z.string(),
  description: z.string(),
  state: alarmState,
  reason: z.string(),
  /** Epoch ms of the last state change. */
  since: z.number(),
  actionsEnabled: z.boolean(),
  /** Why it was muted, as the person who muted it wrote (kept by the app). */
  muteReason: z.string().optional(),
  threshold: z.number().optional(),
  comparison: z.string().optional(),
  /** The metric's recent values (last 6 hours), drawn behind the threshold. */
  recent: z.object({ timestamps: z.array(z.number()), values: z.array(z.number().nullable()) }).optional(),
  unit: chartUnit.optional(),
});
export type AlarmInfo = z.infer<typeof alarmInfo>;

export const listAlarms = defineCall('observe:list-alarms', {
  input: z.object({ source: observeSource }).strict(),
  output: z.object({ local: z.boolean(), alarms: z.array(alarmInfo) }),
});

export const alarmHistory = defineCall('observe:alarm-history', {
  input: z.object({ source: observeSource, name: z.string().min(1).max(255) }).strict(),
  output: z.object({ items: z.array(z.object({ at: z.number(), type: z.string(), summary: z.string() })) }),
});

/** Mutes (disables the actions of) or unmutes an alarm; a mute needs a reason, kept by the app. */
export const setAlarmMuted = defineCall('observe:set-alarm-muted', {
  input: z
    .object({
      source: observeSource,
      name: z.string().min(1).max(255),
      muted: z.boolean(),
      reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
    })
    .strict()
    .refine((i) => !i.muted || (i.reason ?? '').length > 0, { message: 'say why you mute it, so the next person knows', path: ['reason'] }),
  output: alarmInfo,
});

export const subscriptionInfo = z.object({
  /** "PendingConfirmation" until the address owner clicks the link AWS sent. */
  arn: z.string(),
  protocol: z.string(),
  endpoint: z.string(),
  pending: z.boolean(),
});

export const listSubscriptions = defineCall('observe:list-subscriptions', {
  input: z.object({ source: observeSource }).strict(),
  output: z.object({ topicArn: z.string().nullable(), subscriptions: z.array(subscriptionInfo) }),
});

const email = z.string().trim().email('must be an email address such as "pi@lab.example.org"').max(320);

/** Subscribes an address (AWS mails it a confirmation link); subscribing a pending address again resends the link. */
export const addSubscription = defineCall('observe:add-subscription', {
  input: z.object({ source: observeSource, email }).strict(),
  output: z.object({ pending: z.boolean() }),
});

export const removeSubscription = defineCall('observe:remove-subscription', {
  input: z.object({ source: observeSource, arn: z.string().min(1).max(1024) }).strict(),
  output: z.object({ removed: z.boolean() }),
});

/** An alarm of the given source went to ALARM while the app ran (for the notification and the badge). */
export const alarmRaised = defineEvent('observe:alarm-raised', {
  input: z.object({ source: observeSource }).strict(),
  payload: z.object({ alarm: alarmInfo, inAlarm: z.number().int().min(0) }),
});
