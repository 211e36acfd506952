import { useState } from 'react';
import { alarmHistory, setAlarmMuted, type AlarmInfo, type ObserveSource } from '../../../common/api/observe.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { TimeSeriesChart } from '../components/charts/TimeSeriesChart.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';

const STATE = {
  ALARM: { label: 'In alarm', className: 'badge badge--danger' },
  OK: { label: 'OK', className: 'badge ob-state--ok' },
  INSUFFICIENT_DATA: { label: 'Not enough data', className: 'badge' },
} as const;

function since(ms: number): string {
  if (!ms) return '';
  const minutes = Math.round((Date.now() - ms) / 60_000);
  const ago = minutes < 1 ? 'just now' : minutes < 120 ? `${minutes} min ago` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h ago` : `${Math.round(minutes / 1440)} days ago`;
  return `since ${new Date(ms).toLocaleString()} (${ago})`;
}

function History({ source, name }: { source: ObserveSource; name: string }) {
  const history = useCall(alarmHistory, { source, name });
  if (history.isLoading) return <Loading label="Reading the history…" inline />;
  if (history.error) return <ErrorBanner title="Could not read the history" error={history.error} />;
  const items = history.data?.items ?? [];
  if (items.length === 0) return <p className="ob-muted">No change recorded yet.</p>;
  return (
    <ol className="ob-history">
      {items.map((h, i) => (
        <li key={`${h.at}-${i}`}>
          <time dateTime={new Date(h.at).toISOString()}>{new Date(h.at).toLocaleString()}</time> <span className="badge">{h.type}</span> {h.summary}
        </li>
      ))}
    </ol>
  );
}

/** One alarm: its state and why, the metric behind the threshold, mute (with a reason) or unmute, the history. */
export function AlarmCard({ source, alarm, onChanged }: { source: ObserveSource; alarm: AlarmInfo; onChanged: () => void }) {
  const [muting, setMuting] = useState(false);
  const [reason, setReason] = useState('');
  const [showHistory, setShowHistory] = useState(false);
  const mute = useCallMutation(setAlarmMuted, {
    onSuccess: () => {
      setMuting(false);
      setReason('');
      onChanged();
    },
  });
  const state = STATE[alarm.state];
  const muted = !alarm.actionsEnabled;
  return (
    <article className={`card ob-alarm ob-alarm--${alarm.state.toLowerCase()}`} aria-label={`Alarm ${alarm.name}`} data-alarm={alarm.name}>
      <header className="ob-alarm__header">
        <div>
          <h3 className="card__title">{alarm.name}</h3>
          <p className="card__subtitle">{alarm.description}</p>
        </div>
        <div className="ob-alarm__badges">
          <span className={state.className}>{state.label}</span>
          {muted ? <span className="badge" title="Its actions are off: it changes state, nobody is told">Muted</span> : null}
        </div>
      </header>
      <p className="ob-alarm__reason">
        {alarm.reason} <span className="ob-muted">{since(alarm.since)}</span>
      </p>
      {muted && alarm.muteReason ? <p className="ob-alarm__mute-reason">Muted because: {alarm.muteReason}</p> : null}
      {alarm.recent ? (
        <TimeSeriesChart
          title="Last 6 hours"
          timestamps={alarm.recent.timestamps}
          series={[{ label: 'value', values: alarm.recent.values }]}
          unit={alarm.unit ?? 'count'}
          height={120}
          {...(alarm.threshold !== undefined ? { threshold: { value: alarm.threshold, label: 'threshold' } } : {})}
          emptyMessage="No data point in the last 6 hours."
        />
      ) : null}
      {mute.error ? <ErrorBanner title={muted ? 'Could not unmute the alarm' : 'Could not mute the alarm'} error={mute.error} /> : null}
      <div className="ob-alarm__actions">
        {muted ? (
          <Button size="sm" onClick={() => mute.mutate({ source, name: alarm.name, muted: false })} busy={mute.isPending}>
            Unmute
          </Button>
        ) : muting ? (
          <form
            className="ob-mute-form"
            onSubmit={(e) => {
              e.preventDefault();
              mute.mutate({ source, name: alarm.name, muted: true, reason: reason.trim() });
            }}
          >
            <input
              className="input"
              aria-label="Why mute it"
              placeholder="Why? (e.g. resizing the data volume until 15:00)"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              maxLength={500}
              autoFocus
            />
            <Button type="submit" size="sm" variant="danger" busy={mute.isPending} disabled={!reason.trim()}>
              Mute
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setMuting(false)}>
              Cancel
            </Button>
          </form>
        ) : (
          <Button size="sm" onClick={() => setMuting(true)}>
            Mute…
          </Button>
        )}
        <Button size="sm" variant="ghost" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
          {showHistory ? 'Hide history' : 'History'}
        </Button>
      </div>
      {showHistory ? <History source={source} name={alarm.name} /> : null}
    </article>
  );
}
