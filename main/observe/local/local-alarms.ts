import type { AlarmInfo, AlarmState } from '../../../common/api/observe.contract.js';
import { increase, type SandboxSample } from './sandbox-sample.js';

export interface LocalRuleLimits {
  /** Failed runs within an hour that raise the failed-runs alarm. */
  failedPerHour: number;
  /** Minutes with runs queued and none running that raise the stuck-queue alarm. */
  stuckMinutes: number;
  /** Percent of the data folder's disk that raises the disk alarm. */
  diskPercent: number;
}

export const DEFAULT_LIMITS: LocalRuleLimits = { failedPerHour: 5, stuckMinutes: 30, diskPercent: 85 };

interface Rule {
  name: string;
  description: string;
  threshold: number;
  comparison: string;
  unit: AlarmInfo['unit'];
  evaluate(samples: readonly SandboxSample[], now: number): { state: AlarmState; reason: string; value?: number };
  value(s: SandboxSample, previous: SandboxSample | undefined): number;
}

function rules(limits: LocalRuleLimits): Rule[] {
  return [
    {
      name: 'sandbox-failed-runs',
      description: `${limits.failedPerHour} or more runs failed within an hour.`,
      threshold: limits.failedPerHour,
      comparison: 'GreaterThanOrEqualToThreshold',
      unit: 'count',
      value: (s, p) => (p ? increase(p.failedTotal, s.failedTotal) : 0),
      evaluate(samples, now) {
        const hour = samples.filter((s) => s.at >= now - 3_600_000);
        if (hour.length < 2) return { state: 'INSUFFICIENT_DATA', reason: 'Fewer than two samples in the last hour.' };
        let failed = 0;
        for (let i = 1; i < hour.length; i += 1) failed += increase(hour[i - 1]!.failedTotal, hour[i]!.failedTotal);
        return failed >= limits.failedPerHour
          ? { state: 'ALARM', reason: `${failed} runs failed in the last hour (threshold ${limits.failedPerHour}).`, value: failed }
          : { state: 'OK', reason: `${failed} runs failed in the last hour.`, value: failed };
      },
    },
    {
      name: 'sandbox-stuck-queue',
      description: `Runs have been queued for ${limits.stuckMinutes} minutes with nothing running (is the worker up?).`,
      threshold: 1,
      comparison: 'GreaterThanOrEqualToThreshold',
      unit: 'count',
      value: (s) => (s.queued.cpu + s.queued.gpu > 0 && s.running.cpu + s.running.gpu === 0 ? 1 : 0),
      evaluate(samples, now) {
        const start = now - limits.stuckMinutes * 60_000;
        const window = samples.filter((s) => s.at >= start);
        // Stuck for the whole window only if the app was reading the sandbox when it began.
        const covered = samples.length > 0 && samples[0]!.at <= start;
        if (window.length === 0) return { state: 'INSUFFICIENT_DATA', reason: 'No sample in the window.' };
        const stuck = window.every((s) => s.queued.cpu + s.queued.gpu > 0 && s.running.cpu + s.running.gpu === 0);
        if (stuck && covered) return { state: 'ALARM', reason: `Runs queued and none running for ${limits.stuckMinutes} minutes.`, value: 1 };
        return { state: 'OK', reason: stuck ? 'Runs are queued with none running, for less than the window so far.' : 'The queue is moving.', value: 0 };
      },
    },
    {
      name: 'sandbox-disk',
      description: `The sandbox's data folder is on a disk more than ${limits.diskPercent}% full.`,
      threshold: limits.diskPercent,
      comparison: 'GreaterThanOrEqualToThreshold',
      unit: 'percent',
      value: (s) => s.diskPercent,
      evaluate(samples) {
        const last = samples.at(-1);
        if (!last) return { state: 'INSUFFICIENT_DATA', reason: 'No sample yet.' };
        const v = Math.round(last.diskPercent);
        return last.diskPercent >= limits.diskPercent ? { state: 'ALARM', reason: `The disk is ${v}% full.`, value: v } : { state: 'OK', reason: `The disk is ${v}% full.`, value: v };
      },
    },
  ];
}

interface RuleState {
  state: AlarmState;
  reason: string;
  since: number;
  muted: boolean;
  history: { at: number; type: string; summary: string }[];
}

/**
 * The sandbox's alarm rules (failed runs, a stuck queue, the disk), evaluated by the app on each
 * sample. "Muted" has the meaning CloudWatch gives it: the alarm still changes state, but
 * nobody is told (no notification).
 */
export class LocalAlarms {
  private readonly rules: Rule[];
  private readonly states = new Map<string, RuleState>();
  private readonly listeners = new Set<(alarm: AlarmInfo) => void>();

  constructor(
    limits: LocalRuleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.rules = rules(limits);
    const at = now();
    for (const r of this.rules) this.states.set(r.name, { state: 'INSUFFICIENT_DATA', reason: 'The app has not read the sandbox yet.', since: at, muted: false, history: [] });
  }

  /** Told when an unmuted rule goes to ALARM. */
  onAlarm(listener: (alarm: AlarmInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  evaluate(samples: readonly SandboxSample[]): void {
    const now = this.now();
    for (const rule of this.rules) {
      const st = this.states.get(rule.name)!;
      const next = rule.evaluate(samples, now);
      st.reason = next.reason;
      if (next.state === st.state) continue;
      st.history.unshift({ at: now, type: 'StateUpdate', summary: `Alarm updated from ${st.state} to ${next.state}: ${next.reason}` });
      st.history.length = Math.min(st.history.length, 50);
      st.state = next.state;
      st.since = now;
      if (next.state === 'ALARM' && !st.muted) {
        const info = this.info(rule, samples, new Map());
        for (const l of this.listeners) l(info);
      }
    }
  }

  list(samples: readonly SandboxSample[], reasons: ReadonlyMap<string, string>): AlarmInfo[] {
    return this.rules.map((r) => this.info(r, samples, reasons));
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  history(name: string): { at: number; type: string; summary: string }[] {
    return this.states.get(name)?.history ?? [];
  }

  setMuted(name: string, muted: boolean): void {
    const st = this.states.get(name);
    if (!st || st.muted === muted) return;
    st.muted = muted;
    st.history.unshift({ at: this.now(), type: 'Action', summary: muted ? 'Notifications turned off (muted)' : 'Notifications turned on (unmuted)' });
  }

  inAlarm(): number {
    return [...this.states.values()].filter((s) => s.state === 'ALARM').length;
  }

  private info(rule: Rule, samples: readonly SandboxSample[], reasons: ReadonlyMap<string, string>): AlarmInfo {
    const st = this.states.get(rule.name)!;
    const recent = samples.filter((s) => s.at >= this.now() - 6 * 3_600_000);
    const muteReason = reasons.get(rule.name);
    return {
      name: rule.name,
      description: rule.description,
      state: st.state,
      reason: st.reason,
      since: st.since,
      actionsEnabled: !st.muted,
      ...(st.muted && muteReason ? { muteReason } : {}),
      threshold: rule.threshold,
      comparison: rule.comparison,
      ...(rule.unit ? { unit: rule.unit } : {}),
      recent: { timestamps: recent.map((s) => Math.floor(s.at / 1000)), values: recent.map((s, i) => rule.value(s, recent[i - 1])) },
    };
  }
}
