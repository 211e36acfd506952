import { useCallback, useEffect, useState } from 'react';
import { alarmRaised, listAlarms, listObserveSources, type ObserveSource } from '../../../common/api/observe.contract.js';
import { useCall, useSubscription } from '../api/hooks.js';
import { useNotify } from '../researcher/notify.js';
import { usePolledCall } from './use-polled-call.js';

function SourceAlarmWatch({ id, label, source, onCount }: { id: string; label: string; source: ObserveSource; onCount: (id: string, n: number) => void }) {
  const notify = useNotify();
  const alarms = usePolledCall(listAlarms, { source }, 120_000);
  const inAlarm = alarms.data?.alarms.filter((a) => a.state === 'ALARM').length ?? 0;
  useEffect(() => onCount(id, inAlarm), [id, inAlarm, onCount]);
  useSubscription(alarmRaised, { source }, (p) => {
    notify({ tone: 'danger', title: `Alarm: ${p.alarm.name}`, body: `${label}: ${p.alarm.reason || p.alarm.description}` });
    onCount(id, p.inAlarm);
    void alarms.refetch();
  });
  return null;
}

/**
 * The Alarms link's badge: how many alarms are in ALARM across the sandbox and the saved
 * deployments, and a notification (desktop) or a toast (browser) when one goes off while the app
 * runs. Muted alarms are not announced.
 */
export function AlarmBadge() {
  const sources = useCall(listObserveSources, undefined, { staleTime: 60_000 });
  const [counts, setCounts] = useState<Record<string, number>>({});
  const onCount = useCallback((id: string, n: number) => setCounts((c) => (c[id] === n ? c : { ...c, [id]: n })), []);
  const total = (sources.data?.sources ?? []).reduce((sum, s) => sum + (counts[s.id] ?? 0), 0);
  return (
    <>
      {(sources.data?.sources ?? []).map((s) => (
        <SourceAlarmWatch key={s.id} id={s.id} label={s.label} source={s.source} onCount={onCount} />
      ))}
      {total > 0 ? (
        <span className="badge badge--danger nav-link__badge" aria-label={`${total} in alarm`} data-testid="alarm-badge">
          {total}
        </span>
      ) : null}
    </>
  );
}
