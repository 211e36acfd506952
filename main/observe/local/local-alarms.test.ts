import { describe, expect, it } from 'vitest';
import type { AlarmInfo } from '../../../common/api/observe.contract.js';
import { LocalAlarms } from './local-alarms.js';
import type { SandboxSample } from './sandbox-sample.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

function s(minute: number, o: Partial<{ queued: number; running: number; failed: number; disk: number }> = {}): SandboxSample {
  return {
    at: T0 + minute * 60_000,
    queued: { cpu: o.queued ?? 0, gpu: 0 },
    running: { cpu: o.running ?? 0, gpu: 0 },
    workers: { cpu: 1, gpu: 0 },
    failedTotal: o.failed ?? 0,
    succeededTotal: 0,
    durationBuckets: [],
    cpuPercent: 10,
    diskPercent: o.disk ?? 40,
  };
}

describe('the sandbox\'s alarm rules', () => {
  it('goes to ALARM when enough runs failed within the hour, tells the listener once, and keeps the history', () => {
    const now = T0 + 10 * 60_000;
    const alarms = new LocalAlarms({ failedPerHour: 3, stuckMinutes: 30, diskPercent: 85 }, () => now);
    const told: AlarmInfo[] = [];
    alarms.onAlarm((a) => told.push(a));
    alarms.evaluate([s(0, { failed: 1 }), s(5, { failed: 2 })]);
    expect(alarms.list([], new Map()).find((a) => a.name === 'sandbox-failed-runs')!.state).toBe('OK');
    const samples = [s(0, { failed: 1 }), s(5, { failed: 2 }), s(10, { failed: 4 })];
    alarms.evaluate(samples);
    alarms.evaluate(samples);
    expect(told.map((a) => a.name)).toEqual(['sandbox-failed-runs']);
    expect(told[0]!.reason).toContain('3 runs failed');
    expect(alarms.inAlarm()).toBe(1);
    expect(alarms.history('sandbox-failed-runs')[0]!.summary).toContain('from OK to ALARM');
  });

  it('stays quiet while muted but still changes state, and keeps the mute reason on the alarm', () => {
    const alarms = new LocalAlarms({ failedPerHour: 5, stuckMinutes: 30, diskPercent: 85 }, () => T0);
    const told: AlarmInfo[] = [];
    alarms.onAlarm((a) => told.push(a));
    alarms.setMuted('sandbox-disk', true);
    alarms.evaluate([s(0, { disk: 91 })]);
    expect(told).toEqual([]);
    const disk = alarms.list([s(0, { disk: 91 })], new Map([['sandbox-disk', 'cleaning up']])).find((a) => a.name === 'sandbox-disk')!;
    expect(disk).toMatchObject({ state: 'ALARM', actionsEnabled: false, muteReason: 'cleaning up', threshold: 85 });
    expect(disk.recent!.values).toEqual([91]);
  });

  it('calls a queue stuck only when nothing ran for the whole window the app watched', () => {
    const now = T0 + 31 * 60_000;
    const alarms = new LocalAlarms(undefined, () => now);
    const stuckSince = (from: number) => Array.from({ length: 32 - from }, (_, i) => s(from + i, { queued: 2, running: 0 }));
    alarms.evaluate(stuckSince(10));
    expect(alarms.list([], new Map()).find((a) => a.name === 'sandbox-stuck-queue')!.state).toBe('OK');
    alarms.evaluate(stuckSince(0));
    expect(alarms.list([], new Map()).find((a) => a.name === 'sandbox-stuck-queue')!.state).toBe('ALARM');
  });
});
