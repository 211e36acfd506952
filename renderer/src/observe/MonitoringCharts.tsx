import { useState } from 'react';
import { getMetrics, type ObserveSource, type TimeRange } from '../../../common/api/observe.contract.js';
import { TimeSeriesChart } from '../components/charts/TimeSeriesChart.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { Button } from '../components/Button.js';
import { TimeRangePicker } from './TimeRangePicker.js';
import { usePolledCall } from './use-polled-call.js';

const REFRESH_OPTIONS = [
  { ms: 0, label: 'Off' },
  { ms: 10_000, label: '10 s' },
  { ms: 60_000, label: '1 min' },
  { ms: 300_000, label: '5 min' },
];

/** The charts of one source: a range, auto-refresh (paused while the window is hidden), one shared cross-hair. */
export function MonitoringCharts({ source }: { source: ObserveSource }) {
  const [range, setRange] = useState<TimeRange>({ preset: '1h' });
  const local = source.kind === 'local';
  const [refreshMs, setRefreshMs] = useState(local ? 10_000 : 60_000);
  const custom = !('preset' in range);
  const metrics = usePolledCall(getMetrics, { source, range }, refreshMs > 0 && !custom ? refreshMs : false);
  const data = metrics.data;
  const pinned = data ? { from: data.from / 1000, to: data.to / 1000 } : undefined;
  return (
    <section aria-label="Charts">
      <div className="ob-toolbar">
        <TimeRangePicker value={range} onChange={setRange} />
        <label className="ob-inline-field">
          <span>Refresh</span>
          <select className="select" value={refreshMs} onChange={(e) => setRefreshMs(Number(e.target.value))} aria-label="Auto-refresh">
            {REFRESH_OPTIONS.map((o) => (
              <option key={o.ms} value={o.ms}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" onClick={() => void metrics.refetch()} busy={metrics.isFetching}>
          Refresh now
        </Button>
        {data ? (
          <span className="ob-meta" data-testid="metrics-meta">
            {data.local ? <span className="badge badge--accent">Local sandbox</span> : <span className="badge">CloudWatch</span>} one point per {formatPeriod(data.period)}
          </span>
        ) : null}
      </div>
      {metrics.error ? <ErrorBanner title="Could not read the metrics" error={metrics.error} onRetry={() => void metrics.refetch()} retrying={metrics.isFetching} /> : null}
      {data && data.notes.length > 0 ? (
        <ul className="ob-notes">
          {data.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {!data && metrics.isLoading ? <Loading label="Reading the metrics…" /> : null}
      {data ? (
        <div className="ob-charts">
          {data.charts.map((c) => (
            <div key={c.id} data-chart={c.id}>
              <TimeSeriesChart
                title={c.title}
                timestamps={data.timestamps}
                series={c.series}
                unit={c.unit}
                syncKey="monitoring"
                {...(pinned ? { range: pinned } : {})}
                {...(c.emptyReason ? { emptyMessage: c.emptyReason } : {})}
              />
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}

function formatPeriod(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}
