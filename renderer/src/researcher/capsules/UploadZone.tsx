import { useQueryClient } from '@tanstack/react-query';
import { useState, type DragEvent, type ReactNode } from 'react';
import { commitCapsule } from '../../../../common/api/capsules.contract.js';
import { useCallMutation } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { useToast } from '../../components/Toast.js';
import { formatBytes } from '../format.js';
import { fromDrop, fromInput, MAX_UPLOAD_BYTES, toFileWrites, totalSize, withoutIgnored, type PickedFile } from './read-dropped-files.js';

/** Drop files or folders anywhere on it (or pick them) to add them to the capsule as one new version. */
export function UploadZone({ capsuleId, parent, children }: { capsuleId: string; parent: string; children: ReactNode }) {
  const toast = useToast();
  const queries = useQueryClient();
  const [over, setOver] = useState(false);
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [folder, setFolder] = useState('');
  const [message, setMessage] = useState('');
  const [readError, setReadError] = useState<Error | undefined>();
  const commit = useCallMutation(commitCapsule, {
    onSuccess: (r) => {
      toast.show({ tone: 'success', message: `Uploaded ${picked.length} file(s) as version ${r.commit.sha.slice(0, 8)}.` });
      setPicked([]);
      void queries.invalidateQueries();
    },
  });
  const size = totalSize(picked);
  const tooBig = size > MAX_UPLOAD_BYTES;
  const take = (files: PickedFile[]) => {
    const kept = withoutIgnored(files);
    setPicked(kept);
    setMessage(`Upload ${kept.length} file${kept.length === 1 ? '' : 's'}`);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    fromDrop(e.dataTransfer.items).then(take, (err: Error) => setReadError(err));
  };
  const upload = async () => {
    try {
      const files = await toFileWrites(picked, folder.trim());
      commit.mutate({ id: capsuleId, parent, message: message.trim() || 'Upload files', files });
    } catch (err) {
      setReadError(err as Error);
    }
  };
  return (
    <div
      className={over ? 'rs-drop rs-drop--over' : 'rs-drop'}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="upload-zone"
    >
      <div className="rs-drop__bar">
        <span className="rs-muted">Drop files or folders here, or</span>
        <label className="button button--secondary button--sm">
          Upload files
          <input type="file" multiple hidden onChange={(e) => e.target.files && take(fromInput(e.target.files, false))} />
        </label>
        <label className="button button--secondary button--sm">
          Upload a folder
          <input type="file" hidden {...{ webkitdirectory: '' }} onChange={(e) => e.target.files && take(fromInput(e.target.files, false))} />
        </label>
      </div>
      {picked.length > 0 ? (
        <div className="rs-drop__pending card" role="region" aria-label="Files to upload">
          <p>
            {picked.length} file(s), {formatBytes(size)}
          </p>
          <ul className="rs-drop__files">
            {picked.slice(0, 20).map((f) => (
              <li key={f.path}>
                <code>{f.path}</code>
              </li>
            ))}
            {picked.length > 20 ? <li>…and {picked.length - 20} more</li> : null}
          </ul>
          <label>
            Into folder <input className="input" value={folder} placeholder="(the capsule's root)" onChange={(e) => setFolder(e.target.value)} />
          </label>
          <label>
            What changed <input className="input" value={message} onChange={(e) => setMessage(e.target.value)} />
          </label>
          {tooBig ? <p className="field__error">These files are {formatBytes(size)}; one version can carry at most {formatBytes(MAX_UPLOAD_BYTES)} through the app. Upload fewer at a time.</p> : null}
          {readError ? <ErrorBanner title="Could not read the files" error={readError} /> : null}
          {commit.isError ? <ErrorBanner title="The upload was not saved" error={commit.error} /> : null}
          <div className="rs-form__actions">
            <Button variant="primary" onClick={() => void upload()} busy={commit.isPending} disabled={tooBig}>
              Save as new version
            </Button>
            <Button variant="ghost" onClick={() => setPicked([])}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {children}
    </div>
  );
}
