import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import { SettingsStore } from '../settings/settings-store.js';
import { registerObserve } from './register-observe.js';

const ctx = { transport: 'test' } as const;
const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
let dir: string;
let server: Server;
let router: Router;
let stop: () => void;
let queued = 3;
const STACK = { kind: 'stack', target: { region: 'eu-west-1' }, stackName: 'lab' } as const;

beforeEach(async () => {
  cfn.reset();
  cw.reset();
  logs.reset();
  cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
  dir = mkdtempSync(path.join(tmpdir(), 'observe-router-'));
  mkdirSync(path.join(dir, 'sandbox', 'logs'), { recursive: true });
  writeFileSync(path.join(dir, 'sandbox', 'logs', 'services.log'), 'services agent listening\n');
  // The sandbox's services agent, as far as Observe reads it: GET /metrics with the researcher token.
  server = createServer((req, res) => {
    if (req.url !== '/metrics' || req.headers.authorization !== 'Bearer researcher-token') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`benchtop_queue_depth{queue="cpu"} ${queued}\nbenchtop_runs_running{queue="cpu"} 1\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = new SettingsStore(dir);
  settings.saveDeployment({ name: 'lab', region: 'eu-west-1', platformUrl: 'https://bench.lab.example' });
  router = new Router();
  stop = registerObserve(router, {
    dataDir: dir,
    settings,
    env: { BENCHTOP_OBSERVE_SAMPLE_MS: '200' },
    localPlatform: { url, token: 'researcher-token' },
    stackClients: () => ({
      cfn: new CloudFormationClient({ region: 'eu-west-1' }),
      cw: new CloudWatchClient({ region: 'eu-west-1' }),
      logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
      sns: new SNSClient({ region: 'eu-west-1' }),
    }),
  }).stop;
});

afterEach(async () => {
  stop();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function ok(name: string, input: unknown) {
  const result = await router.invoke(name, input, ctx);
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.error)}`);
  return result.value as Record<string, unknown>;
}

describe('observe calls', () => {
  it('lists the sandbox and the saved deployments as sources', async () => {
    expect(await ok('observe:list-sources', {})).toEqual({
      sources: [
        { id: 'local', label: 'Local sandbox', source: { kind: 'local' } },
        { id: 'stack:eu-west-1:lab', label: 'lab (eu-west-1)', source: STACK },
      ],
    });
  });

  it('charts the sandbox from its sampled /metrics, labelled as local', async () => {
    let answer: Record<string, unknown> = {};
    for (let i = 0; i < 500; i += 1) {
      answer = await ok('observe:get-metrics', { source: { kind: 'local' }, range: { preset: '1h' } });
      const depth = (answer.charts as { id: string; series: { values: (number | null)[] }[] }[]).find((c) => c.id === 'queue-depth')!;
      if (depth.series[0]!.values.includes(3)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(answer.local).toBe(true);
    const depth = (answer.charts as { id: string; series: { values: (number | null)[] }[] }[]).find((c) => c.id === 'queue-depth')!;
    expect(depth.series[0]!.values).toContain(3);
  });

  it('charts a stack through GetMetricData, found from the stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: 'arn:aws:cloudformation:eu-west-1:210987654321:stack/lab/x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const answer = await ok('observe:get-metrics', { source: STACK, range: { preset: '6h' } });
    expect(answer.local).toBe(false);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.some((q) => q.MetricStat?.Metric?.Namespace === 'Benchtop/lab')).toBe(true);
  });

  it('refuses bad input with what was wrong', async () => {
    const mute = await router.invoke('observe:set-alarm-muted', { source: { kind: 'local' }, name: 'sandbox-disk', muted: true }, ctx);
    expect(mute).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(JSON.stringify(mute)).toContain('reason');
    const range = await router.invoke('observe:get-metrics', { source: { kind: 'local' }, range: { from: 10, to: 5 } }, ctx);
    expect(JSON.stringify(range)).toContain('must end after it starts');
    const group = await router.invoke('observe:list-log-streams', { source: { kind: 'local' }, group: 'nope' }, ctx);
    expect(group).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it('mutes a local alarm with a reason and unmutes it', async () => {
    const muted = await ok('observe:set-alarm-muted', { source: { kind: 'local' }, name: 'sandbox-disk', muted: true, reason: 'moving data' });
    expect(muted).toMatchObject({ actionsEnabled: false, muteReason: 'moving data' });
    const listed = await ok('observe:list-alarms', { source: { kind: 'local' } });
    expect((listed.alarms as { name: string; muteReason?: string }[]).find((a) => a.name === 'sandbox-disk')!.muteReason).toBe('moving data');
    const unmuted = await ok('observe:set-alarm-muted', { source: { kind: 'local' }, name: 'sandbox-disk', muted: false });
    expect(unmuted.actionsEnabled).toBe(true);
    const history = await ok('observe:alarm-history', { source: { kind: 'local' }, name: 'sandbox-disk' });
    expect((history.items as { summary: string }[]).map((h) => h.summary)).toContain('Notifications turned off (muted)');
  });

  it('keeps a sandbox alarm muted across a restart of the app', async () => {
    await ok('observe:set-alarm-muted', { source: { kind: 'local' }, name: 'sandbox-failed-runs', muted: true, reason: 'flaky capsule' });
    const again = new Router();
    const stopAgain = registerObserve(again, { dataDir: dir, settings: new SettingsStore(dir), env: {}, localPlatform: { url: 'http://127.0.0.1:9', token: 't' } }).stop;
    const listed = await again.invoke('observe:list-alarms', { source: { kind: 'local' } }, ctx);
    stopAgain();
    expect(listed.ok && (listed.value as { alarms: { name: string; actionsEnabled: boolean; muteReason?: string }[] }).alarms.find((a) => a.name === 'sandbox-failed-runs')).toMatchObject({ actionsEnabled: false, muteReason: 'flaky capsule' });
  });

  it('lists a stack\'s alarms by its prefix', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: 'arn:aws:cloudformation:eu-west-1:210987654321:stack/lab/x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' }] });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'lab-FailedRunsAlarm-1', StateValue: 'OK', StateUpdatedTimestamp: new Date(0) }] });
    const listed = await ok('observe:list-alarms', { source: STACK });
    expect(listed).toMatchObject({ local: false, alarms: [{ name: 'lab-FailedRunsAlarm-1', state: 'OK' }] });
  });

  it('follows the sandbox\'s services log', async () => {
    const lines: string[] = [];
    const sub = router.subscribe('observe:follow-logs', { source: { kind: 'local' }, group: 'services' }, (p) => lines.push(...(p as { lines: { text: string }[] }).lines.map((l) => l.text)));
    for (let i = 0; i < 1000 && lines.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    if (sub.ok) sub.unsubscribe();
    expect(lines).toEqual(['services agent listening']);
  });

  it('downloads the chosen range of a stack\'s log group: FilterLogEvents from the start to the end time, every page', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: 'arn:aws:cloudformation:eu-west-1:210987654321:stack/lab/x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: 1_000, logStreamName: 'i-1', message: 'first\n', eventId: 'a' }], nextToken: 'p2' })
      .resolvesOnce({ events: [{ timestamp: 2_000, logStreamName: 'i-2', message: 'second', eventId: 'b' }] });
    const answer = await ok('observe:read-log-range', { source: STACK, group: 'services', from: 500, to: 2_500, filterPattern: 'ERROR' });
    expect(answer).toEqual({ truncated: false, lines: [{ seq: 1, ts: 1_000, stream: 'i-1', text: 'first' }, { seq: 2, ts: 2_000, stream: 'i-2', text: 'second' }] });
    const asked = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(asked).toEqual([
      expect.objectContaining({ startTime: 500, endTime: 2_500, filterPattern: 'ERROR' }),
      expect.objectContaining({ startTime: 500, endTime: 2_500, nextToken: 'p2' }),
    ]);
  });

  it('downloads the chosen range of a sandbox log, across its rotated files, by the times its lines say', async () => {
    const logsDir = path.join(dir, 'sandbox', 'logs');
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const at = (s: number, msg: string) => `{"level":30,"time":${t0 + s * 1000},"msg":"${msg}"}`;
    writeFileSync(path.join(logsDir, 'services.log.1'), `${at(1, 'too early')}\n${at(2, 'from here')}\n`);
    writeFileSync(path.join(logsDir, 'services.log'), `${at(3, 'still in')}\n    at a stack frame of the line above\n${at(9, 'too late')}\n`);
    const answer = await ok('observe:read-log-range', { source: { kind: 'local' }, group: 'services', from: t0 + 2000, to: t0 + 5000 });
    expect((answer.lines as { text: string; ts: number; stream: string }[]).map((l) => [l.ts - t0, l.stream, l.text])).toEqual([
      [2000, 'services.log', at(2, 'from here')],
      [3000, 'services.log', at(3, 'still in')],
      [3000, 'services.log', '    at a stack frame of the line above'],
    ]);
  });

  it('refuses a download range that ends before it starts, saying which way round to put it', async () => {
    const result = await router.invoke('observe:read-log-range', { source: { kind: 'local' }, group: 'services', from: 5_000, to: 4_000 }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/ends .* before it starts/) } });
  });

  it('links a run on a saved deployment to its CloudWatch log stream', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: 'arn:aws:cloudformation:eu-west-1:210987654321:stack/lab/x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'RunsLogGroupName', OutputValue: '/benchtop/lab/runs' }] }] });
    const link = await ok('observe:run-log-url', { runId: 'r_42', platformUrl: 'https://bench.lab.example/' });
    expect(link.url).toBe('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fbenchtop$252Flab$252Fruns/log-events/runs$252Fr_42');
    expect(await ok('observe:run-log-url', { runId: 'r_42', platformUrl: 'http://127.0.0.1:9' })).toMatchObject({ url: null });
  });
});
