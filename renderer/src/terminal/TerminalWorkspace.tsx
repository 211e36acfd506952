import { useEffect, useMemo, useRef, useState } from 'react';
import { closeTerminal, listSessions, openTerminal, terminalCapabilities, type TerminalSessionInfo, type TerminalTarget } from '../../../common/api/terminal.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useToast } from '../components/Toast.js';
import type { ApiCallError } from '../api/client.js';
import { navigate } from '../shell/hash-location.js';
import { InstancePicker } from './InstancePicker.js';
import { pickLink } from './terminal-link.js';
import { TerminalView } from './TerminalView.js';

const NEW_TAB = 'new';

/** `/terminal/run/<id>` opens a terminal into that run (the run page's button links here). */
export function runToOpen(path: string): string | undefined {
  return /^\/terminal\/run\/([A-Za-z0-9_-]+)$/.exec(path)?.[1];
}

/** Tabs of open terminals, and a "New terminal" tab: instances, a run, the sandbox host. */
export function TerminalWorkspace({ path }: { path: string }) {
  const toast = useToast();
  const openLink = useMemo(() => pickLink(), []);
  const sessions = useCall(listSessions, undefined, { staleTime: 0 });
  const capabilities = useCall(terminalCapabilities, undefined);
  const [current, setCurrent] = useState<string>(NEW_TAB);
  const [opened, setOpened] = useState<TerminalSessionInfo[]>([]);
  const [failure, setFailure] = useState<{ title: string; error: ApiCallError }>();
  const [runId, setRunId] = useState('');
  const open = useCallMutation(openTerminal, {
    onSuccess: (session) => {
      setFailure(undefined);
      setOpened((list) => [...list.filter((s) => s.id !== session.id), session]);
      setCurrent(session.id);
    },
    onError: (error, input) => setFailure({ title: `Could not open a terminal ${describe(input.target)}`, error }),
  });
  const close = useCallMutation(closeTerminal, { onSuccess: () => void sessions.refetch() });

  // Sessions outlive the page (they live in main): a reload lists them again.
  const all = useMemo(() => {
    const known = new Map(opened.map((s) => [s.id, s] as const));
    for (const s of sessions.data?.sessions ?? []) known.set(s.id, s);
    return [...known.values()];
  }, [sessions.data, opened]);

  const requested = runToOpen(path);
  const asked = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!requested || asked.current === requested) return;
    asked.current = requested;
    open.mutate({ target: { kind: 'run', runId: requested } });
    navigate('/terminal', { replace: true });
  }, [requested, open]);

  const start = (target: TerminalTarget): void => open.mutate({ target });
  const closeTab = (session: TerminalSessionInfo): void => {
    if (session.state !== 'exited' && !window.confirm(`Close "${session.title}"? Its shell ends, and anything running in it stops.`)) return;
    close.mutate({ id: session.id });
    setOpened((list) => list.filter((s) => s.id !== session.id));
    if (current === session.id) setCurrent(NEW_TAB);
    toast.show({ tone: 'info', message: `Closed ${session.title}.` });
  };
  const openingInstance = open.isPending && open.variables?.target.kind === 'instance' ? open.variables.target.instanceId : undefined;

  return (
    <div className="term-page">
      <div className="term-tabs" role="tablist" aria-label="Terminals">
        {all.map((s) => (
          <div key={s.id} className={`term-tab${current === s.id ? ' term-tab--current' : ''}`}>
            <button type="button" role="tab" className="term-tab__select" aria-selected={current === s.id} onClick={() => setCurrent(s.id)}>
              {s.title}
              {s.state !== 'open' ? <span className="term-tab__state">{s.state === 'exited' ? `exited${s.exitCode === null ? '' : ` ${s.exitCode}`}` : 'reconnecting'}</span> : null}
            </button>
            <button type="button" className="term-tab__close" aria-label={`Close ${s.title}`} onClick={() => closeTab(s)}>
              ×
            </button>
          </div>
        ))}
        <div className={`term-tab${current === NEW_TAB ? ' term-tab--current' : ''}`}>
          <button type="button" role="tab" className="term-tab__select" aria-selected={current === NEW_TAB} onClick={() => setCurrent(NEW_TAB)}>
            + New terminal
          </button>
        </div>
      </div>
      {failure ? <ErrorBanner title={failure.title} error={failure.error} /> : null}
      {all.map((s) => (
        <div key={s.id} hidden={current !== s.id} role="tabpanel" aria-label={s.title}>
          <TerminalView session={s} openLink={openLink} visible={current === s.id} onExit={() => void sessions.refetch()} />
        </div>
      ))}
      {current === NEW_TAB ? (
        <div className="term-new" role="tabpanel" aria-label="New terminal">
          {sessions.isError ? <ErrorBanner title="Could not list the open terminals" error={sessions.error} onRetry={() => void sessions.refetch()} retrying={sessions.isFetching} /> : null}
          <section className="term-new__row" aria-label="Into a run">
            <label>
              Run id{' '}
              <input value={runId} onChange={(e) => setRunId(e.target.value.trim())} placeholder="run_…" aria-describedby="term-run-hint" />
            </label>
            <Button variant="primary" disabled={!/^[A-Za-z0-9_-]{3,}$/.test(runId)} busy={open.isPending && open.variables?.target.kind === 'run'} onClick={() => start({ kind: 'run', runId })}>
              Open in run
            </Button>
            <span id="term-run-hint" className="term-picker__sub">
              A shell inside a running run of the active platform (its owner, a PI or an admin).
            </span>
          </section>
          {capabilities.data?.local.available ? (
            <section className="term-new__row" aria-label="Sandbox host">
              <Button onClick={() => start({ kind: 'local' })} busy={open.isPending && open.variables?.target.kind === 'local'}>
                Shell on the sandbox host
              </Button>
              <span className="term-picker__sub">{capabilities.data.local.shell} on this machine, where the local sandbox runs.</span>
            </section>
          ) : null}
          <InstancePicker opening={openingInstance} onOpen={(deploymentId, instance) => start({ kind: 'instance', deploymentId, instanceId: instance.instanceId })} />
        </div>
      ) : null}
    </div>
  );
}

function describe(target: TerminalTarget): string {
  if (target.kind === 'instance') return `on ${target.instanceId}`;
  if (target.kind === 'run') return `into run ${target.runId}`;
  return 'on the sandbox host';
}
