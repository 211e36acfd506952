import { useState } from 'react';
import type { ApiCallError } from '../api/client.js';
import { useApiClient } from '../api/ApiProvider.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { downloadText } from '../researcher/download.js';
import { type LogRangeQuery, logRangeFile } from './log-range-file.js';

/**
 * A local date-time input's value to the second ("2026-12-01T10:00:05"): to the minute, a follow
 * started under a minute ago would open as an empty range, and "now" would leave out the lines of
 * the last minute, the ones most often wanted.
 */
function toSecondsInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/**
 * "Download a range…": the lines of the followed group (its streams and filter) between two
 * times the user picks, read again from CloudWatch or the sandbox's files. Opens from where the
 * follow started to now.
 */
export function LogRangeDownload({ query, defaultFrom }: { query: LogRangeQuery; defaultFrom: number }) {
  const client = useApiClient();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<ApiCallError | Error | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  const start = () => {
    setFrom(toSecondsInput(defaultFrom));
    // Up to the end of this second, so that the newest line is in.
    setTo(toSecondsInput(Math.ceil((Date.now() + 1) / 1000) * 1000));
    setInvalid(undefined);
    setFailed(undefined);
    setSaved(undefined);
    setOpen(true);
  };

  const download = async () => {
    const f = new Date(from).getTime();
    const t = new Date(to).getTime();
    if (!Number.isFinite(f) || !Number.isFinite(t)) return setInvalid('Give both a start and an end.');
    if (t <= f) return setInvalid('The end must be after the start.');
    setInvalid(undefined);
    setFailed(undefined);
    setBusy(true);
    try {
      const file = await logRangeFile(client, query, f, t);
      downloadText(file.name, file.text, 'text/plain');
      const lines = `${file.lines.toLocaleString()} line${file.lines === 1 ? '' : 's'}`;
      setSaved(file.truncated ? `Saved the first ${lines}: more matched; narrow the range or the filter for the rest.` : `Saved ${lines}.`);
    } catch (e) {
      setFailed(e as ApiCallError);
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <Button size="sm" onClick={start}>
        Download a range…
      </Button>
    );
  }
  return (
    <form
      className="ob-range-download"
      aria-label="Download a range"
      onSubmit={(e) => {
        e.preventDefault();
        void download();
      }}
      onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
    >
      <input className="input" type="datetime-local" step={1} aria-label="Download from" value={from} onChange={(e) => setFrom(e.target.value)} />
      <span aria-hidden="true">–</span>
      <input className="input" type="datetime-local" step={1} aria-label="Download to" value={to} onChange={(e) => setTo(e.target.value)} />
      <Button type="submit" size="sm" variant="primary" busy={busy}>
        Download
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
        Cancel
      </Button>
      {invalid ? (
        <span className="field__error" role="alert">
          {invalid}
        </span>
      ) : null}
      {saved ? (
        <span className="ob-notice" role="status">
          {saved}
        </span>
      ) : null}
      {failed ? <ErrorBanner title="Could not download the range" error={failed} onRetry={() => void download()} /> : null}
    </form>
  );
}
