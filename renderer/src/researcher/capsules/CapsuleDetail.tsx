import { useState } from 'react';
import { COMMAND_FILE, ENVIRONMENT_FILE, type Capsule } from '../../../../common/protocol/index.js';
import { capsuleHistory, capsuleTree, getCapsule, readCapsuleFile } from '../../../../common/api/capsules.contract.js';
import { useCall } from '../../api/hooks.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { Loading } from '../../components/Loading.js';
import { PageHeader } from '../../components/PageHeader.js';
import { navigate } from '../../shell/hash-location.js';
import { FileTree } from '../files/FileTree.js';
import { FileViewer } from '../files/FileViewer.js';
import { formatTime, shortSha } from '../format.js';
import { capsulePath, type CapsuleTab } from '../routes.js';
import { RunList } from '../runs/RunList.js';
import { joinCommand } from '../runs/split-command.js';
import { EnvironmentEditor } from './EnvironmentEditor.js';
import { EnvironmentFidelity } from './EnvironmentFidelity.js';
import { FileEditor } from './FileEditor.js';
import { UploadZone } from './UploadZone.js';
import { CapsuleSharingTab } from '../../pipelines/CapsuleSharingTab.js';

const RESERVED_FILES: readonly string[] = [ENVIRONMENT_FILE, COMMAND_FILE];

const TABS: { id: CapsuleTab; label: string }[] = [
  { id: 'files', label: 'Files' },
  { id: 'environment', label: 'Environment' },
  { id: 'history', label: 'History' },
  { id: 'runs', label: 'Runs' },
  { id: 'sharing', label: 'Sharing & checks' },
];

export function CapsuleDetail({ id, tab, file }: { id: string; tab: CapsuleTab; file?: string }) {
  const capsule = useCall(getCapsule, { id });
  const [ref, setRef] = useState('HEAD');
  if (capsule.isPending) return <Loading label="Loading the capsule…" />;
  if (capsule.isError) {
    return (
      <>
        <PageHeader title="Capsule" />
        <ErrorBanner title={`Could not open capsule ${id}`} error={capsule.error} onRetry={() => void capsule.refetch()} retrying={capsule.isFetching} />
      </>
    );
  }
  const c = capsule.data;
  return (
    <>
      <PageHeader
        title={c.name}
        description={c.description}
        actions={
          <Button variant="primary" icon="runs" onClick={() => navigate(`/runs/new/${c.id}`)}>
            Launch run
          </Button>
        }
      />
      <div className="rs-tabs" role="tablist" aria-label="Capsule views">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={t.id === tab} className={t.id === tab ? 'rs-tab rs-tab--current' : 'rs-tab'} onClick={() => navigate(capsulePath(id, t.id))}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="rs-tabpanel">
        {tab === 'files' ? <FilesTab capsule={c} file={file} gitRef={ref} onHead={() => setRef('HEAD')} /> : null}
        {tab === 'environment' ? <EnvironmentTab capsule={c} /> : null}
        {tab === 'history' ? (
          <HistoryTab
            capsule={c}
            onBrowse={(sha) => {
              setRef(sha);
              navigate(capsulePath(id, 'files'));
            }}
          />
        ) : null}
        {tab === 'runs' ? <RunList capsuleId={id} /> : null}
        {tab === 'sharing' ? <CapsuleSharingTab capsule={c} /> : null}
      </div>
    </>
  );
}

function FilesTab({ capsule, file, gitRef, onHead }: { capsule: Capsule; file?: string; gitRef: string; onHead: () => void }) {
  const tree = useCall(capsuleTree, { id: capsule.id, ref: gitRef });
  const atHead = gitRef === 'HEAD';
  const selected = file ?? tree.data?.entries.find((e) => /^(main\.|README)/.test(e.path))?.path ?? tree.data?.entries[0]?.path;
  const body = (
    <>
      {!atHead ? (
        <p className="rs-version-note" role="status">
          Showing version <code>{shortSha(gitRef)}</code> (read-only).{' '}
          <Button size="sm" variant="ghost" onClick={onHead}>
            Back to the newest
          </Button>
        </p>
      ) : null}
      {tree.isPending ? <Loading label="Loading the files…" /> : null}
      {tree.isError ? <ErrorBanner title="Could not list the files" error={tree.error} onRetry={() => void tree.refetch()} /> : null}
      {tree.isSuccess && tree.data.entries.length === 0 ? (
        <EmptyState icon="capsules" title="This version has no files">
          <p>Drop files or a folder here to add them.</p>
        </EmptyState>
      ) : null}
      {tree.isSuccess && tree.data.entries.length > 0 ? (
        <div className="rs-split">
          <FileTree label="Capsule files" files={tree.data.entries} selected={selected} onSelect={(p) => navigate(capsulePath(capsule.id, 'files', p))} />
          {selected ? <CapsuleFile capsule={capsule} path={selected} gitRef={gitRef} editable={atHead} /> : null}
        </div>
      ) : null}
    </>
  );
  return atHead ? (
    <UploadZone capsuleId={capsule.id} parent={capsule.head}>
      {body}
    </UploadZone>
  ) : (
    body
  );
}

function CapsuleFile({ capsule, path, gitRef, editable }: { capsule: Capsule; path: string; gitRef: string; editable: boolean }) {
  const content = useCall(readCapsuleFile, { id: capsule.id, path, ref: gitRef });
  const [editing, setEditing] = useState<string | undefined>();
  if (content.isPending) return <Loading label={`Opening ${path}…`} />;
  if (content.isError) return <ErrorBanner title={`Could not open ${path}`} error={content.error} onRetry={() => void content.refetch()} />;
  // environment.json and command.json are the platform's: they change through the Environment tab.
  const canEdit = editable && content.data.encoding === 'utf8' && !content.data.truncated && !RESERVED_FILES.includes(path);
  if (editing === path && canEdit) {
    return <FileEditor capsuleId={capsule.id} parent={capsule.head} path={path} initial={content.data.content} onDone={() => setEditing(undefined)} />;
  }
  return (
    <div className="rs-preview">
      {canEdit ? (
        <div className="rs-form__actions">
          <Button size="sm" onClick={() => setEditing(path)}>
            Edit
          </Button>
        </div>
      ) : null}
      <FileViewer file={content.data} />
    </div>
  );
}

function EnvironmentTab({ capsule }: { capsule: Capsule }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <EnvironmentEditor capsule={capsule} onDone={() => setEditing(false)} />;
  const env = capsule.environment;
  const lists: [string, string[]][] = [
    ['apt packages', env.apt],
    ['pip packages', env.pip],
    ['conda packages', env.conda],
  ];
  return (
    <>
      <dl className="rs-record">
        <div>
          <dt>Base image</dt>
          <dd>
            <code>{env.baseImage}</code>
          </dd>
        </div>
        {lists.map(([label, items]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{items.length === 0 ? <span className="rs-muted">none</span> : items.map((p) => <code key={p} className="rs-chip">{p}</code>)}</dd>
          </div>
        ))}
        <div>
          <dt>Default command</dt>
          <dd>
            <code>{joinCommand(capsule.command)}</code>
          </dd>
        </div>
        <div className="rs-form__actions">
          <Button size="sm" onClick={() => setEditing(true)}>
            Edit the environment
          </Button>
        </div>
      </dl>
      <EnvironmentFidelity capsule={capsule} />
    </>
  );
}

function HistoryTab({ capsule, onBrowse }: { capsule: Capsule; onBrowse: (sha: string) => void }) {
  const history = useCall(capsuleHistory, { id: capsule.id });
  if (history.isPending) return <Loading label="Loading the history…" />;
  if (history.isError) return <ErrorBanner title="Could not read the history" error={history.error} onRetry={() => void history.refetch()} />;
  return (
    <ol className="rs-history" aria-label="Versions, newest first">
      {history.data.items.map((c) => (
        <li key={c.sha} className="rs-history__item">
          <div>
            <strong>{c.message}</strong>
            <div className="rs-muted">
              <code>{shortSha(c.sha)}</code> · {c.author} · {formatTime(c.createdAt)}
              {c.sha === capsule.head ? ' · newest' : ''}
            </div>
          </div>
          <Button size="sm" variant="ghost" onClick={() => onBrowse(c.sha === capsule.head ? 'HEAD' : c.sha)}>
            Browse files
          </Button>
        </li>
      ))}
    </ol>
  );
}
