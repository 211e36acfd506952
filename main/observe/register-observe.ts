import path from 'node:path';
import * as api from '../../common/api/observe.contract.js';
import { ApiError } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import type { LocalPlatform } from '../platform/connection/platform-registry.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { AlarmMutes, type MuteSource } from './alarm-mutes.js';
import { listTopicSubscriptions, subscribeEmail, unsubscribe } from './aws/alarm-topic.js';
import { followStackLogs } from './aws/live-tail.js';
import { filterLogEvents } from './aws/poll-log-events.js';
import { listStackAlarms, setStackAlarmMuted, stackAlarmHistory } from './aws/stack-alarms.js';
import { stackMetrics } from './aws/stack-metrics.js';
import { consoleLogStreamUrl, logGroupArn, type StackClients, StackObserve } from './aws/stack-observe.js';
import type { StackResources } from './aws/stack-resources.js';
import { LineBatcher } from './line-batcher.js';
import { checkLocalQuery, followLocalLogs, listLocalStreams, LOCAL_GROUPS, readLocalLogs } from './local/log-files.js';
import { LocalObserve } from './local/local-observe.js';
import { watchStackAlarms } from './stack-alarm-watch.js';
import { resolveRange } from './time-range.js';
import { DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsTarget } from '../../lib/aws/client-factory.js';

export interface ObserveDeps {
  dataDir: string;
  settings: SettingsStore;
  env: NodeJS.ProcessEnv;
  localPlatform?: LocalPlatform | Promise<LocalPlatform>;
  /** Tests: AWS clients of their own (aws-sdk-client-mock). */
  stackClients?: (target: AwsTarget, env: NodeJS.ProcessEnv) => StackClients;
}

type StackSource = Extract<api.ObserveSource, { kind: 'stack' }>;
const STACK_GROUPS = [
  { id: 'services', label: 'Services agent' },
  { id: 'workers', label: 'Workers' },
  { id: 'runs', label: 'Runs' },
] as const;

/** The most message text a range download of a stack holds (as the sandbox's, 64 MiB a stream): the rest is "truncated". */
const RANGE_CHARS = 64 * 1024 * 1024;

function sourceKey(s: api.ObserveSource): string {
  return s.kind === 'local' ? 'local' : `stack:${s.target.region}:${s.stackName}`;
}

function targetOf(s: StackSource): AwsTarget {
  return { region: s.target.region, ...(s.target.profile ? { profile: s.target.profile } : {}) };
}

function groupName(r: StackResources, id: string): string {
  if (id === 'services' || id === 'workers' || id === 'runs') return r.logGroups[id];
  throw new ApiError('bad-input', `The stack has no log group "${id}".`, 'Pick one of: services, workers, runs.');
}

/** Observe: Monitoring charts, logs and alarms of the local sandbox and of the saved deployments. */
export function registerObserve(router: Router, deps: ObserveDeps): { stop(): void } {
  const sampleMs = Number(deps.env.BENCHTOP_OBSERVE_SAMPLE_MS ?? 10_000);
  const local = deps.localPlatform
    ? new LocalObserve({ sandboxDir: path.join(deps.dataDir, 'sandbox'), platform: deps.localPlatform, sampleMs: Number.isFinite(sampleMs) && sampleMs >= 200 ? sampleMs : 10_000 })
    : undefined;
  const stacks = new StackObserve(deps.env, deps.stackClients);
  const mutes = new AlarmMutes(path.join(deps.dataDir, 'alarm-mutes.json'), (region, name) =>
    deps.settings.listDeployments().filter((d) => d.region === region && d.name === name).map((d) => d.accountId),
  );
  // A sandbox alarm muted in an earlier session stays muted: its reason is the record of it.
  if (local) {
    try {
      for (const name of mutes.reasons({ kind: 'local' }).keys()) if (local.alarms.has(name)) local.alarms.setMuted(name, true);
    } catch {
      // A damaged mutes file is reported by the calls that read it; the sandbox starts unmuted.
    }
  }

  const localOrRefuse = (): LocalObserve => {
    if (!local) throw new ApiError('unavailable', 'This app runs without the local sandbox.', 'Start Benchtop without BENCHTOP_SANDBOX=off, or pick a deployment.');
    return local;
  };
  const stack = async (s: StackSource) => {
    const target = targetOf(s);
    return { clients: stacks.clientsFor(target), resources: await stacks.resourcesOf(target, s.stackName) };
  };
  // Mute reasons are the stack's in its account (from its stack id): two accounts may each have a "lab" in one region.
  const stackMutes = (r: StackResources): MuteSource => ({ kind: 'stack', account: r.account, region: r.region, stackName: r.stackName });

  router.handle(api.listObserveSources, () => {
    const sources: { id: string; label: string; source: api.ObserveSource }[] = [];
    if (local) sources.push({ id: 'local', label: 'Local sandbox', source: { kind: 'local' } });
    const deployments = deps.settings.listDeployments();
    for (const d of deployments) {
      const source: api.ObserveSource = { kind: 'stack', target: { region: d.region, ...(d.profile ? { profile: d.profile } : {}) }, stackName: d.name };
      // Two accounts may each have "lab" in one region: then the account (or the profile) tells them apart.
      const twin = deployments.some((o) => o !== d && o.region === d.region && o.name === d.name);
      const whose = d.accountId ?? (d.profile ? `profile ${d.profile}` : 'default profile');
      sources.push(twin ? { id: `stack:${d.id}:${d.profile ?? ''}`, label: `${d.name} (${d.region}, ${whose})`, source } : { id: sourceKey(source), label: `${d.name} (${d.region})`, source });
    }
    return { sources };
  });

  router.handle(api.getMetrics, async ({ source, range }) => {
    const { from, to } = resolveRange(range);
    if (source.kind === 'local') return localOrRefuse().metrics(from, to);
    const { clients, resources } = await stack(source);
    return stackMetrics(clients.cw, resources, from, to);
  });

  router.handle(api.listLogGroups, async ({ source }) => {
    if (source.kind === 'local') {
      localOrRefuse();
      return { groups: LOCAL_GROUPS.map((g) => ({ id: g.id, label: g.label, name: `${g.id} (local files)` })) };
    }
    const { resources } = await stack(source);
    return { groups: STACK_GROUPS.map((g) => ({ id: g.id, label: g.label, name: resources.logGroups[g.id] })) };
  });

  router.handle(api.listLogStreams, async ({ source, group }) => {
    if (source.kind === 'local') return { streams: await listLocalStreams(localOrRefuse().logsDir, group) };
    const { clients, resources } = await stack(source);
    const answer = await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: groupName(resources, group), orderBy: 'LastEventTime', descending: true, limit: 50 }));
    return { streams: (answer.logStreams ?? []).map((s) => ({ name: s.logStreamName ?? '', ...(s.lastEventTimestamp ? { lastEventAt: s.lastEventTimestamp } : {}) })) };
  });

  router.handleEvent(api.followObservedLogs, async (input, emit, signal) => {
    const batcher = new LineBatcher(emit);
    const since = input.since ?? Date.now() - 5 * 60_000;
    const optional = { ...(input.streams ? { streams: input.streams } : {}), ...(input.filterPattern ? { filterPattern: input.filterPattern } : {}) };
    // What can be refused is refused before the stream starts, so the view gets an error, not a notice.
    let follow: () => Promise<void>;
    if (input.source.kind === 'local') {
      const logsDir = localOrRefuse().logsDir;
      checkLocalQuery(input.group, input.filterPattern);
      follow = () => followLocalLogs({ logsDir, group: input.group, ...optional, batcher, signal });
    } else {
      const { clients, resources } = await stack(input.source);
      const name = groupName(resources, input.group);
      follow = () => followStackLogs(clients.logs, { groupName: name, groupArn: logGroupArn(resources, name), ...optional, since, batcher, signal });
    }
    follow()
      .catch((error: unknown) => {
        if (!signal.aborted) batcher.tell({ notice: `Following stopped: ${error instanceof Error ? error.message : String(error)}` });
      })
      .finally(() => batcher.stop());
    return () => batcher.stop();
  });

  router.handle(api.readLogRange, async (input) => {
    if (input.from > input.to) {
      throw new ApiError('bad-input', `The range ends (${new Date(input.to).toISOString()}) before it starts (${new Date(input.from).toISOString()}).`, 'Pick a "to" time after the "from" time.');
    }
    if (input.source.kind === 'local') return readLocalLogs(localOrRefuse().logsDir, input.group, input.streams, input.filterPattern, input.limit, { from: input.from, to: input.to });
    const { clients, resources } = await stack(input.source);
    const q = { groupName: groupName(resources, input.group), ...(input.streams ? { streams: input.streams } : {}), ...(input.filterPattern ? { filterPattern: input.filterPattern } : {}) };
    const { events, truncated } = await filterLogEvents(clients.logs, q, input.from, input.to, input.limit, undefined, RANGE_CHARS);
    return { truncated, lines: events.map((e, i) => ({ seq: i + 1, ts: e.timestamp ?? 0, stream: e.logStreamName ?? '', text: (e.message ?? '').replace(/\n$/, '') })) };
  });

  router.handle(api.runLogConsoleUrl, async ({ runId, platformUrl }) => {
    const wanted = platformUrl.replace(/\/+$/, '');
    const d = deps.settings.listDeployments().find((x) => x.platformUrl && x.platformUrl.replace(/\/+$/, '') === wanted);
    if (!d) return { url: null, reason: 'This run is not on a deployed stack this app knows (the local sandbox keeps its logs itself).' };
    const s: StackSource = { kind: 'stack', target: { region: d.region, ...(d.profile ? { profile: d.profile } : {}) }, stackName: d.name };
    const group = await stack(s).then(({ resources }) => resources.logGroups.runs).catch(() => `/benchtop/${d.name}/runs`);
    // The services agent copies each run's log to the stream runs/<run id> (agents/services/cloudwatch-logs-sink.ts).
    return { url: consoleLogStreamUrl(d.region, group, `runs/${runId}`) };
  });

  router.handle(api.listAlarms, async ({ source }) => {
    if (source.kind === 'local') return { local: true, alarms: localOrRefuse().listAlarms(mutes.reasons({ kind: 'local' })) };
    const { clients, resources } = await stack(source);
    return { local: false, alarms: await listStackAlarms(clients.cw, source.stackName, mutes.reasons(stackMutes(resources))) };
  });

  router.handle(api.alarmHistory, async ({ source, name }) => {
    if (source.kind === 'local') {
      const l = localOrRefuse();
      l.checkAlarm(name);
      return { items: l.alarms.history(name) };
    }
    const { clients } = await stack(source);
    return { items: await stackAlarmHistory(clients.cw, source.stackName, name) };
  });

  router.handle(api.setAlarmMuted, async ({ source, name, muted, reason }) => {
    if (source.kind === 'local') {
      const l = localOrRefuse();
      l.checkAlarm(name);
      l.alarms.setMuted(name, muted);
      mutes.set({ kind: 'local' }, name, muted ? reason : undefined);
      return l.listAlarms(mutes.reasons({ kind: 'local' })).find((a) => a.name === name)!;
    }
    const { clients, resources } = await stack(source);
    const alarm = await setStackAlarmMuted(clients.cw, source.stackName, name, muted, new Map(reason ? [[name, reason]] : []));
    mutes.set(stackMutes(resources), name, muted ? reason : undefined);
    return alarm;
  });

  const topicOf = async (s: StackSource) => {
    const { clients, resources } = await stack(s);
    if (!resources.alarmTopicArn) throw new ApiError('not-found', `The stack ${s.stackName} has no alarm topic (output AlarmTopicArn).`, 'Upgrade the stack to a version that creates it.');
    return { sns: clients.sns, topic: resources.alarmTopicArn };
  };

  router.handle(api.listSubscriptions, async ({ source }) => {
    if (source.kind === 'local') return { topicArn: null, subscriptions: [] };
    const { sns, topic } = await topicOf(source);
    return { topicArn: topic, subscriptions: await listTopicSubscriptions(sns, topic) };
  });

  const noLocalTopic = () => new ApiError('bad-input', 'The local sandbox has no alarm topic: its alarms notify this app only.', 'Pick a deployment to manage who is mailed.');

  router.handle(api.addSubscription, async ({ source, email }) => {
    if (source.kind === 'local') throw noLocalTopic();
    const { sns, topic } = await topicOf(source);
    return subscribeEmail(sns, topic, email);
  });

  router.handle(api.removeSubscription, async ({ source, arn }) => {
    if (source.kind === 'local') throw noLocalTopic();
    const { sns, topic } = await topicOf(source);
    return unsubscribe(sns, topic, arn);
  });

  router.handleEvent(api.alarmRaised, ({ source }, emit, signal) => {
    if (source.kind === 'local') {
      const l = localOrRefuse();
      return l.alarms.onAlarm((alarm) => emit({ alarm, inAlarm: l.alarms.inAlarm() }));
    }
    const intervalMs = Number(deps.env.BENCHTOP_OBSERVE_ALARM_POLL_MS ?? 60_000);
    void watchStackAlarms(
      async () => {
        const { clients, resources } = await stack(source);
        return listStackAlarms(clients.cw, source.stackName, mutes.reasons(stackMutes(resources)));
      },
      (alarm, inAlarm) => emit({ alarm, inAlarm }),
      signal,
      Number.isFinite(intervalMs) && intervalMs >= 1000 ? intervalMs : 60_000,
    );
    return undefined;
  });

  return { stop: () => local?.stop() };
}
