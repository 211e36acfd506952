import { useState } from 'react';
import type { Run } from '../../../../common/protocol/index.js';
import { listResults, readResult } from '../../../../common/api/runs.contract.js';
import { useApiClient } from '../../api/ApiProvider.js';
import type { ApiCallError } from '../../api/client.js';
import { useCall } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { base64ToBytes, downloadBlob } from '../download.js';
import { FileTree } from '../files/FileTree.js';
import { FileViewer } from '../files/FileViewer.js';

const MAX_DOWNLOAD = 64 * 1024 * 1024;

/** The run's results: the files it wrote to /results, each previewed and downloadable. */
export function ResultsBrowser({ run }: { run: Run }) {
  const finished = run.finishedAt !== null;
  const manifest = useCall(listResults, { id: run.id }, { enabled: finished });
  const [selected, setSelected] = useState<string | undefined>();
  const path = selected ?? manifest.data?.files[0]?.path;
  if (!finished) {
    return (
      <EmptyState icon="backups" title="No results yet">
        <p>The files the run writes to /results appear here when it finishes.</p>
      </EmptyState>
    );
  }
  if (manifest.isPending) return <Loading label="Loading the results…" />;
  if (manifest.isError) return <ErrorBanner title="Could not list the results" error={manifest.error} onRetry={() => void manifest.refetch()} />;
  if (manifest.data.files.length === 0) {
    return (
      <EmptyState icon="backups" title="This run wrote no results">
        <p>Write files to $RESULTS_DIR (/results) in the capsule's code to keep them with the run.</p>
      </EmptyState>
    );
  }
  return (
    <div className="rs-split">
      <FileTree label="Result files" files={manifest.data.files} selected={path} onSelect={setSelected} />
      {path ? <ResultPreview runId={run.id} path={path} /> : null}
    </div>
  );
}

function ResultPreview({ runId, path }: { runId: string; path: string }) {
  const client = useApiClient();
  const file = useCall(readResult, { id: runId, path });
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<ApiCallError | undefined>();
  const downloadWhole = async () => {
    setDownloading(true);
    try {
      const whole = await client.call(readResult, { id: runId, path, maxBytes: MAX_DOWNLOAD });
      downloadBlob(path, new Blob([whole.encoding === 'utf8' ? whole.content : base64ToBytes(whole.content)]));
    } catch (e) {
      setError(e as ApiCallError);
    } finally {
      setDownloading(false);
    }
  };
  if (file.isPending) return <Loading label={`Opening ${path}…`} />;
  if (file.isError) return <ErrorBanner title={`Could not open ${path}`} error={file.error} onRetry={() => void file.refetch()} />;
  return (
    <div className="rs-preview">
      {error ? <ErrorBanner title="The download failed" error={error} /> : null}
      <FileViewer file={file.data} />
      {file.data.truncated ? (
        <Button size="sm" onClick={() => void downloadWhole()} busy={downloading}>
          Download the whole file
        </Button>
      ) : null}
    </div>
  );
}
