import { useState } from 'react';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { useCall } from '../../api/hooks.js';
import { PlatformManager } from './PlatformManager.js';
import { SandboxAgents } from './SandboxAgents.js';
import { WorkerQueues } from './WorkerQueues.js';
import '../researcher.css';

const TONE = { connected: 'success', starting: 'neutral', unreachable: 'danger', unauthorized: 'danger', none: 'danger' } as const;

/** The active platform, always in the header; opens the list to switch or add one. */
export function PlatformBadge() {
  const status = useCall(platformStatus, undefined, { staleTime: 10_000 });
  const state = status.isError ? 'unreachable' : (status.data?.state ?? 'starting');
  const name = status.data?.platform?.name ?? (status.isPending ? 'Connecting…' : 'No platform');
  const title = status.isError ? status.error.message : (status.data?.message ?? (status.data?.user ? `Signed in as ${status.data.user.name} (${status.data.user.role})` : ''));
  const [open, setOpen] = useState(false);
  return (
    <details className="rs-platform-badge" data-state={state} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className={`badge rs-state rs-state--${TONE[state]}`} title={title} aria-label={`Platform: ${name}, ${state}`}>
        <span className="rs-platform-badge__dot" aria-hidden="true" />
        {name}
      </summary>
      {open ? (
        <div className="rs-platform-badge__panel">
          {title ? <p className="rs-muted">{title}</p> : null}
          {status.data?.queues ? <WorkerQueues queues={status.data.queues} /> : null}
          {status.data?.sandbox ? <SandboxAgents sandbox={status.data.sandbox} /> : null}
          <PlatformManager />
        </div>
      ) : null}
    </details>
  );
}
