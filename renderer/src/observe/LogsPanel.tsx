import { useMemo, useState, useSyncExternalStore } from 'react';
import { listLogGroups, listLogStreams, type ObservedLine, type ObserveSource } from '../../../common/api/observe.contract.js';
import { useApiClient } from '../api/ApiProvider.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FOLLOW_VIEW_OPTIONS } from './follow-view-options.js';
import { LogRangeDownload } from './LogRangeDownload.js';
import { LogViewer } from '../researcher/runs/LogView.js';
import { observedLinePrefix } from './observed-line-prefix.js';
import { ObservedLogSource } from './observed-log-source.js';

const SINCE = [
  { ms: 5 * 60_000, label: 'last 5 min' },
  { ms: 3_600_000, label: 'last hour' },
  { ms: 24 * 3_600_000, label: 'last 24 h' },
];

const MODE_LABEL = { 'live-tail': 'Live Tail', polling: 'Polling every 2 s', file: 'Following the files' } as const;

function FollowStatusLine({ source }: { source: ObservedLogSource }) {
  const status = useSyncExternalStore(source.onStatus, source.getStatus);
  return (
    <div className="ob-follow-status" aria-live="polite">
      {status.mode ? <span className="badge badge--accent" data-testid="follow-mode">{MODE_LABEL[status.mode]}</span> : <span className="badge">Connecting…</span>}
      {status.sampled ? <span className="badge badge--danger">Sampled: over 500 events/s</span> : null}
      {status.notices.map((n) => (
        <span key={n} className="ob-notice">
          {n}
        </span>
      ))}
    </div>
  );
}

/** Follows a log group of the source live, with a filter pattern, a stream picker and a start time. */
export function LogsPanel({ source }: { source: ObserveSource }) {
  const client = useApiClient();
  const groups = useCall(listLogGroups, { source });
  const [groupId, setGroupId] = useState('services');
  const group = groups.data?.groups.find((g) => g.id === groupId) ?? groups.data?.groups[0];
  const streams = useCall(listLogStreams, { source, group: group?.id ?? 'services' }, { enabled: group !== undefined });
  const [stream, setStream] = useState('');
  const [draftPattern, setDraftPattern] = useState('');
  const [pattern, setPattern] = useState('');
  const [sinceMs, setSinceMs] = useState(SINCE[0]!.ms);
  // A new follow starts when what is followed changes (and once per Apply), never on each render.
  const [generation, setGeneration] = useState(0);
  const logSource = useMemo(
    () =>
      group
        ? new ObservedLogSource(client, { source, group: group.id, since: Date.now() - sinceMs, ...(stream ? { streams: [stream] } : {}), ...(pattern ? { filterPattern: pattern } : {}) })
        : undefined,
    // `generation` is in the list on purpose: Apply starts the follow again even with the same pattern.
    [client, source, group?.id, stream, pattern, sinceMs, generation],
  );

  return (
    <section aria-label="Logs" className="ob-logs">
      <form
        className="ob-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setPattern(draftPattern.trim());
          setGeneration((g) => g + 1);
        }}
      >
        <label className="ob-inline-field">
          <span>Log group</span>
          <select className="select" aria-label="Log group" value={group?.id ?? ''} onChange={(e) => (setGroupId(e.target.value), setStream(''))}>
            {(groups.data?.groups ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.label} — {g.name}
              </option>
            ))}
          </select>
        </label>
        <label className="ob-inline-field">
          <span>Stream</span>
          <select className="select" aria-label="Log stream" value={stream} onChange={(e) => setStream(e.target.value)}>
            <option value="">All streams</option>
            {(streams.data?.streams ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="ob-inline-field">
          <span>From</span>
          <select className="select" aria-label="Start from" value={sinceMs} onChange={(e) => setSinceMs(Number(e.target.value))}>
            {SINCE.map((s) => (
              <option key={s.ms} value={s.ms}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="ob-inline-field ob-inline-field--grow">
          <span>Filter</span>
          <input
            className="input"
            aria-label="Filter pattern"
            placeholder={source.kind === 'local' ? 'words, "a phrase", -leave-out' : 'CloudWatch filter pattern, e.g. ERROR -DEBUG or { $.level = "error" }'}
            value={draftPattern}
            onChange={(e) => setDraftPattern(e.target.value)}
          />
        </label>
        <Button type="submit" size="sm" variant="primary">
          Apply
        </Button>
      </form>
      {groups.error ? <ErrorBanner title="Could not list the log groups" error={groups.error} onRetry={() => void groups.refetch()} /> : null}
      {logSource ? (
        <>
          <FollowStatusLine source={logSource} />
          <LogViewer<ObservedLine>
            key={logSource.key + generation}
            source={logSource}
            live
            label={`${group?.label ?? ''} log`}
            options={FOLLOW_VIEW_OPTIONS}
            emptyText={{ done: 'Nothing was logged.', live: 'Nothing logged in this range yet; new lines appear here as they are written.' }}
            prefix={observedLinePrefix}
            isError={(l) => /\b(error|fatal|panic)\b/i.test(l.text)}
            toolbar={<LogRangeDownload key={logSource.key + generation} query={logSource.query} defaultFrom={logSource.query.since} />}
          />
        </>
      ) : null}
    </section>
  );
}
