import { listAlarms } from '../../../common/api/observe.contract.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';
import { PageHeader } from '../components/PageHeader.js';
import { AlarmCard } from '../observe/AlarmCard.js';
import { AlarmSubscriptions } from '../observe/AlarmSubscriptions.js';
import { NoSources } from '../observe/NoSources.js';
import { SourcePicker } from '../observe/SourcePicker.js';
import { useObserveSource } from '../observe/use-observe-source.js';
import { usePolledCall } from '../observe/use-polled-call.js';
import '../observe/observe.css';

/** What is wrong right now and who gets told: the stack's CloudWatch alarms, or the sandbox's own rules. */
export function AlarmsPage() {
  const { query, sources, selected, select } = useObserveSource();
  const source = selected?.source;
  const alarms = usePolledCall(listAlarms, { source: source ?? { kind: 'local' } }, 30_000, source !== undefined);
  return (
    <>
      <PageHeader
        title="Alarms"
        description="What is wrong right now, since when and why; mute an alarm while you fix it, and choose who gets told."
        actions={sources.length > 1 ? <SourcePicker sources={sources} selected={selected} onSelect={select} /> : null}
      />
      {query.isLoading ? <Loading label="Finding the alarms…" /> : null}
      {query.error ? <ErrorBanner title="Could not list the sources" error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.isSuccess && !selected ? <NoSources icon="alarms" what="The stack raises alarms for the services instance's health, disk space, a stuck queue, failed runs and 5xx answers, and mails them through its SNS topic." /> : null}
      {source ? (
        <>
          {alarms.data?.local ? (
            <p className="ob-muted">
              <span className="badge badge--accent">Local sandbox</span> Rules this app evaluates on the sandbox's metrics every few seconds; they notify this app only.
            </p>
          ) : null}
          {alarms.isLoading ? <Loading label="Reading the alarms…" /> : null}
          {alarms.error ? <ErrorBanner title="Could not read the alarms" error={alarms.error} onRetry={() => void alarms.refetch()} retrying={alarms.isFetching} /> : null}
          {alarms.data && alarms.data.alarms.length === 0 ? (
            <EmptyState icon="alarms" title="This stack has no alarms">
              <p>Its alarms are named after the stack (“{source.kind === 'stack' ? source.stackName : ''}-…”); an older stack version may have none. Upgrade it on the Deployment page.</p>
            </EmptyState>
          ) : null}
          <div className="ob-alarms">
            {(alarms.data?.alarms ?? []).map((a) => (
              <AlarmCard key={a.name} source={source} alarm={a} onChanged={() => void alarms.refetch()} />
            ))}
          </div>
          {source.kind === 'stack' ? <AlarmSubscriptions source={source} /> : null}
        </>
      ) : null}
    </>
  );
}
