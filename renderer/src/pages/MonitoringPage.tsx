import { PageHeader } from '../components/PageHeader.js';
import { Loading } from '../components/Loading.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { navigate, useHashPath } from '../shell/hash-location.js';
import { LogsPanel } from '../observe/LogsPanel.js';
import { MonitoringCharts } from '../observe/MonitoringCharts.js';
import { NoSources } from '../observe/NoSources.js';
import { SourcePicker } from '../observe/SourcePicker.js';
import { useObserveSource } from '../observe/use-observe-source.js';
import '../researcher/researcher.css';
import '../observe/observe.css';

const TABS = [
  { id: 'charts', label: 'Charts', path: '/monitoring' },
  { id: 'logs', label: 'Logs', path: '/monitoring/logs' },
] as const;

/** Charts of the platform's load and health, and its logs followed live (#/monitoring, #/monitoring/logs). */
export function MonitoringPage() {
  const path = useHashPath();
  const tab = path.startsWith('/monitoring/logs') ? 'logs' : 'charts';
  const { query, sources, selected, select } = useObserveSource();
  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Queues, runs, workers and the services instance over time, and the logs of the services agent, the workers and the runs."
        actions={sources.length > 1 ? <SourcePicker sources={sources} selected={selected} onSelect={select} /> : null}
      />
      {query.isLoading ? <Loading label="Finding what to monitor…" /> : null}
      {query.error ? <ErrorBanner title="Could not list what to monitor" error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.isSuccess && !selected ? <NoSources icon="monitoring" what="Here you will see queue depth, runs, workers, the services instance and the load balancer over time, and follow the platform's logs live." /> : null}
      {selected ? (
        <>
          <div className="rs-tabs" role="tablist" aria-label="Monitoring views">
            {TABS.map((t) => (
              <button key={t.id} type="button" role="tab" aria-selected={t.id === tab} className={t.id === tab ? 'rs-tab rs-tab--current' : 'rs-tab'} onClick={() => navigate(t.path)}>
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" className="rs-tabpanel">
            {tab === 'charts' ? <MonitoringCharts key={selected.id} source={selected.source} /> : <LogsPanel key={selected.id} source={selected.source} />}
          </div>
        </>
      ) : null}
    </>
  );
}
