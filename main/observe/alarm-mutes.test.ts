import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, DisableAlarmActionsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import { SettingsStore } from '../settings/settings-store.js';
import { AlarmMutes, type MuteSource } from './alarm-mutes.js';
import { registerObserve } from './register-observe.js';

const A = '111111111111';
const B = '222222222222';
const labIn = (account: string): MuteSource => ({ kind: 'stack', account, region: 'eu-west-1', stackName: 'lab' });
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'alarm-mutes-'));
  file = path.join(dir, 'alarm-mutes.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stored = () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, { reason: string }>>;
const writeLegacy = () =>
  writeFileSync(
    file,
    JSON.stringify({
      local: { 'sandbox-disk': { reason: 'moving data', at: '2026-11-30T10:00:00.000Z' } },
      'stack:eu-west-1:lab': {
        'lab-FailedRunsAlarm-1': { reason: 'flaky capsule', at: '2026-11-30T10:00:00.000Z' },
        'lab-DiskAlarm-1': { reason: 'resizing', at: '2026-11-30T10:00:00.000Z' },
      },
    }),
    { mode: 0o600 },
  );

describe('alarm mute reasons', () => {
  it('keeps two accounts’ stacks of the same name and region apart', () => {
    const mutes = new AlarmMutes(file);
    mutes.set(labIn(A), 'lab-FailedRunsAlarm-1', 'flaky capsule');
    expect(mutes.reasons(labIn(A)).get('lab-FailedRunsAlarm-1')).toBe('flaky capsule');
    expect(mutes.reasons(labIn(B)).size).toBe(0);
    mutes.set(labIn(B), 'lab-FailedRunsAlarm-1', 'deploying');
    mutes.set(labIn(A), 'lab-FailedRunsAlarm-1', undefined);
    expect(mutes.reasons(labIn(A)).size).toBe(0);
    expect(mutes.reasons(labIn(B)).get('lab-FailedRunsAlarm-1')).toBe('deploying');
    expect(Object.keys(stored()).sort()).toEqual([`stack:${A}/eu-west-1/lab`, `stack:${B}/eu-west-1/lab`]);
  });

  it('moves reasons stored without an account to the one account whose deployment it can be', () => {
    writeLegacy();
    const mutes = new AlarmMutes(file, () => [A]);
    expect(Object.fromEntries(mutes.reasons(labIn(A)))).toEqual({ 'lab-FailedRunsAlarm-1': 'flaky capsule', 'lab-DiskAlarm-1': 'resizing' });
    expect(Object.keys(stored()).sort()).toEqual(['local', `stack:${A}/eu-west-1/lab`]);
    expect(mutes.reasons({ kind: 'local' }).get('sandbox-disk')).toBe('moving data');
  });

  it('shows a reason whose account is unknown for the stack it was made for, in either account, until the alarm is muted again', () => {
    writeLegacy();
    // Two saved deployments of "lab" in eu-west-1, one of them saved before accounts were recorded.
    const mutes = new AlarmMutes(file, () => [A, undefined]);
    expect(mutes.reasons(labIn(A)).get('lab-FailedRunsAlarm-1')).toBe('flaky capsule');
    expect(mutes.reasons(labIn(B)).get('lab-FailedRunsAlarm-1')).toBe('flaky capsule');
    expect(stored()['stack:eu-west-1:lab']).toBeDefined();
    mutes.set(labIn(A), 'lab-FailedRunsAlarm-1', 'a new capsule');
    expect(mutes.reasons(labIn(A)).get('lab-FailedRunsAlarm-1')).toBe('a new capsule');
    expect(mutes.reasons(labIn(B)).has('lab-FailedRunsAlarm-1')).toBe(false);
    // The other old reason is untouched.
    expect(mutes.reasons(labIn(B)).get('lab-DiskAlarm-1')).toBe('resizing');
    mutes.set(labIn(B), 'lab-DiskAlarm-1', undefined);
    expect(stored()['stack:eu-west-1:lab']).toBeUndefined();
  });
});

describe('observe: mute reasons through the router', () => {
  it('a reason given for "lab" in one account is not shown for "lab" in another', async () => {
    const settings = new SettingsStore(dir);
    settings.saveDeployment({ name: 'lab', region: 'eu-west-1', profile: 'acct-a', accountId: A });
    settings.saveDeployment({ name: 'lab', region: 'eu-west-1', profile: 'acct-b', accountId: B });
    const clients = (account: string) => {
      const c = {
        cfn: new CloudFormationClient({ region: 'eu-west-1' }),
        cw: new CloudWatchClient({ region: 'eu-west-1' }),
        logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
        sns: new SNSClient({ region: 'eu-west-1' }),
      };
      const cfn = mockClient(c.cfn);
      cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
      cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackId: `arn:aws:cloudformation:eu-west-1:${account}:stack/lab/x`, CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' }] });
      const cw = mockClient(c.cw);
      // Muted in both accounts (actions off); only account A's was muted through this app.
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'lab-FailedRunsAlarm-1', StateValue: 'ALARM', ActionsEnabled: false, StateUpdatedTimestamp: new Date(0) }] });
      cw.on(DisableAlarmActionsCommand).resolves({});
      cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      return c;
    };
    const byProfile = { 'acct-a': clients(A), 'acct-b': clients(B) };
    const router = new Router();
    const { stop } = registerObserve(router, { dataDir: dir, settings, env: {}, stackClients: (t) => byProfile[t.profile as keyof typeof byProfile] });
    const ctx = { transport: 'test' } as const;
    const source = (profile: string) => ({ kind: 'stack', target: { region: 'eu-west-1', profile }, stackName: 'lab' });
    // The two are two sources, told apart by their account.
    const listed = await router.invoke('observe:list-sources', {}, ctx);
    expect(listed).toMatchObject({
      ok: true,
      value: {
        sources: [
          { id: `stack:${A}/eu-west-1/lab:acct-a`, label: `lab (eu-west-1, ${A})`, source: source('acct-a') },
          { id: `stack:${B}/eu-west-1/lab:acct-b`, label: `lab (eu-west-1, ${B})`, source: source('acct-b') },
        ],
      },
    });
    const muted = await router.invoke('observe:set-alarm-muted', { source: source('acct-a'), name: 'lab-FailedRunsAlarm-1', muted: true, reason: 'flaky capsule' }, ctx);
    expect(muted).toMatchObject({ ok: true, value: { muteReason: 'flaky capsule' } });
    const reasonIn = async (profile: string) => {
      const out = await router.invoke('observe:list-alarms', { source: source(profile) }, ctx);
      if (!out.ok) throw new Error(out.error.message);
      return (out.value as { alarms: { muteReason?: string }[] }).alarms[0]?.muteReason;
    };
    expect(await reasonIn('acct-a')).toBe('flaky capsule');
    expect(await reasonIn('acct-b')).toBeUndefined();
    stop();
  });
});
