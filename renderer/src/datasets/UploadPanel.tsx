import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent } from 'react';
import { beginUpload, discardUpload, finishUpload, listUploads, sendUploadPieces, type UploadSession } from '../../../common/api/datasets.contract.js';
import { useApiClient } from '../api/ApiProvider.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { useToast } from '../components/Toast.js';
import { fromDrop, fromInput, withoutIgnored, type PickedFile } from '../researcher/capsules/read-dropped-files.js';
import { formatBytes, shortSha } from '../researcher/format.js';
import { navigate } from '../shell/hash-location.js';
import { datasetPath } from './routes.js';
import { progressOf, sendMissing, type FileProgress } from './upload-runner.js';

type Phase = 'idle' | 'sending' | 'stopped' | 'sealing';
const SHOWN_FILES = 200;

/** Pick or drop files and folders, send them with per-file and total progress, cancel and resume, then seal the version. */
export function UploadPanel({ datasetId }: { datasetId: string }) {
  const client = useApiClient();
  const toast = useToast();
  const queries = useQueryClient();
  const uploads = useCall(listUploads, {});
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [message, setMessage] = useState('');
  const [over, setOver] = useState(false);
  const [session, setSession] = useState<UploadSession | null>(null);
  const [progress, setProgress] = useState<FileProgress[]>([]);
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<Error | null>(null);
  const stop = useRef<AbortController | null>(null);
  const interrupted = (uploads.data?.items ?? []).filter((u) => u.datasetId === datasetId && u.sessionId !== session?.sessionId);

  const take = (files: PickedFile[]) => {
    const kept = withoutIgnored(files);
    setPicked(kept);
    setError(null);
    if (!message) setMessage(`Upload ${kept.length} file${kept.length === 1 ? '' : 's'}`);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    fromDrop(e.dataTransfer.items).then(take, (err: Error) => setError(err));
  };

  /** Sends what is missing of `s` from `files` (same order as its entries), then seals it. */
  const run = async (s: UploadSession, files: PickedFile[]) => {
    const byPath = new Map(files.map((f) => [f.path, f.file]));
    const blobs = s.files.map((f) => byPath.get(f.path));
    const missing = s.files.filter((f, i) => !f.sent && !blobs[i]);
    if (missing.length > 0) {
      setError(new Error(`${missing.length} file(s) of this upload are not among those chosen (first: ${missing[0]!.path}); choose the same folder again to resume`));
      return;
    }
    const controller = new AbortController();
    stop.current = controller;
    setError(null);
    setSession(s);
    const current = progressOf(s);
    setProgress(current);
    setPhase('sending');
    try {
      const send = (pieces: Parameters<Parameters<typeof sendMissing>[2]>[0]) => client.call(sendUploadPieces, { sessionId: s.sessionId, pieces });
      const outcome = await sendMissing(blobs as Blob[], current, send, setProgress, controller.signal);
      if (outcome === 'stopped') {
        setPhase('stopped');
        return;
      }
      setPhase('sealing');
      const version = await client.call(finishUpload, { sessionId: s.sessionId });
      toast.show({ tone: 'success', message: `Sealed version ${shortSha(version.version)}: ${version.files.length} files, ${formatBytes(version.size)}.` });
      setSession(null);
      setPicked([]);
      setPhase('idle');
      void queries.invalidateQueries();
      navigate(datasetPath(datasetId, 'versions', version.version));
    } catch (err) {
      setError(err as Error);
      setPhase('stopped');
    }
  };

  const start = async () => {
    try {
      const s = await client.call(beginUpload, { datasetId, message: message.trim(), files: picked.map((p) => ({ path: p.path, size: p.file.size })) });
      await run(s, picked);
    } catch (err) {
      setError(err as Error);
    }
  };
  const discard = async (sessionId: string) => {
    stop.current?.abort();
    await client.call(discardUpload, { sessionId }).catch((err: Error) => setError(err));
    if (session?.sessionId === sessionId) (setSession(null), setPhase('idle'), setProgress([]));
    void uploads.refetch();
  };

  const total = progress.reduce((s, f) => s + f.size, 0);
  const done = progress.reduce((s, f) => s + f.received, 0);
  const sentCount = progress.filter((f) => f.sent).length;

  return (
    <div
      className={over ? 'rs-drop rs-drop--over ds-upload' : 'rs-drop ds-upload'}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="dataset-drop"
    >
      {interrupted.map((u) => (
        <div key={u.sessionId} className="card ds-interrupted" role="region" aria-label="Interrupted upload">
          <p>
            An upload of {u.files.length} files ("{u.message || 'no message'}") stopped with {u.files.filter((f) => f.sent).length} on the platform. Choose the same files
            again and press Resume; what arrived is not sent twice.
          </p>
          <Button size="sm" variant="primary" disabled={picked.length === 0 || phase === 'sending'} onClick={() => void run(u, picked)}>
            Resume with the chosen files
          </Button>
          <Button size="sm" variant="ghost" onClick={() => void discard(u.sessionId)}>
            Discard it
          </Button>
        </div>
      ))}
      <div className="rs-drop__bar">
        <span className="rs-muted">Drop files or folders here, or</span>
        <label className="button button--secondary button--sm">
          Choose files
          <input className="sr-only" type="file" multiple onChange={(e) => e.target.files && take(fromInput(e.target.files, false))} />
        </label>
        <label className="button button--secondary button--sm">
          Choose a folder
          <input className="sr-only" type="file" multiple {...({ webkitdirectory: '' } as object)} onChange={(e) => e.target.files && take(fromInput(e.target.files, true))} />
        </label>
      </div>
      {picked.length > 0 && phase === 'idle' ? (
        <div className="card rs-drop__pending" role="region" aria-label="Files to upload">
          <p>
            {picked.length} file{picked.length === 1 ? '' : 's'}, {formatBytes(picked.reduce((s, p) => s + p.file.size, 0))}
          </p>
          <Field label="Version message">{(c) => <input {...c} className="input" value={message} onChange={(e) => setMessage(e.target.value)} maxLength={2000} />}</Field>
          <Button variant="primary" onClick={() => void start()}>
            Upload and seal a version
          </Button>
        </div>
      ) : null}
      {session ? (
        <section className="card pp-progress" aria-label="Upload progress">
          <p role="status">
            {phase === 'sealing' ? 'Sealing the version…' : phase === 'stopped' ? 'Stopped.' : 'Uploading…'} {sentCount} of {progress.length} files on the platform, {formatBytes(done)} of {formatBytes(total)}
          </p>
          <progress aria-label="Total progress" max={Math.max(total, 1)} value={done} />
          <div className="ds-upload__actions">
            {phase === 'sending' ? (
              <Button onClick={() => stop.current?.abort()}>Cancel</Button>
            ) : phase === 'stopped' ? (
              <>
                <Button variant="primary" onClick={() => void run(session, picked)}>
                  Resume
                </Button>
                <Button variant="ghost" onClick={() => void discard(session.sessionId)}>
                  Discard the upload
                </Button>
              </>
            ) : null}
          </div>
          <ul className="ds-files" aria-label="Files">
            {progress.slice(0, SHOWN_FILES).map((f) => (
              <li key={f.path}>
                <span className="rs-mono">{f.path}</span> <progress aria-label={`Progress of ${f.path}`} max={Math.max(f.size, 1)} value={f.sent ? Math.max(f.size, 1) : f.received} />{' '}
                <span className="rs-muted">{f.sent ? 'on the platform' : `${formatBytes(f.received)} of ${formatBytes(f.size)}`}</span>
              </li>
            ))}
          </ul>
          {progress.length > SHOWN_FILES ? <p className="rs-muted">and {progress.length - SHOWN_FILES} more files (the total above counts them all).</p> : null}
        </section>
      ) : null}
      {error ? <ErrorBanner title="The upload did not finish" error={error} /> : null}
    </div>
  );
}
