import type { AlarmInfo } from '../../common/api/observe.contract.js';
import { sleep } from '../../lib/retry.js';

/**
 * Polls a stack's alarms while someone listens and tells of each that goes to ALARM (with its
 * actions on: a muted alarm notifies nobody). The first reading is the baseline: an alarm already
 * in ALARM when the app starts is shown by the badge, not announced.
 */
export async function watchStackAlarms(
  list: () => Promise<AlarmInfo[]>,
  onRaised: (alarm: AlarmInfo, inAlarm: number) => void,
  signal: AbortSignal,
  intervalMs = 60_000,
): Promise<void> {
  let previous: Map<string, AlarmInfo['state']> | undefined;
  while (!signal.aborted) {
    const alarms = await list().catch(() => undefined);
    if (alarms) {
      const inAlarm = alarms.filter((a) => a.state === 'ALARM').length;
      if (previous) for (const a of alarms) if (a.state === 'ALARM' && previous.get(a.name) !== 'ALARM' && a.actionsEnabled) onRaised(a, inAlarm);
      previous = new Map(alarms.map((a) => [a.name, a.state]));
    }
    await sleep(intervalMs, signal).catch(() => undefined);
  }
}
