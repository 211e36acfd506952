import type { SandboxAgentStatus, SandboxStatus } from '../../../../common/api/platforms.contract.js';
import { formatBytes, formatTime } from '../format.js';

const TONE = { running: 'success', starting: 'neutral', restarting: 'accent', stopped: 'danger' } as const;

function AgentRow({ label, agent }: { label: string; agent: SandboxAgentStatus }) {
  const restarts = agent.restarts === 0 ? 'never restarted' : `restarted ${agent.restarts} time${agent.restarts === 1 ? '' : 's'}`;
  const last = agent.lastExit ? `; last stop: ${agent.lastExit.how}, ${formatTime(agent.lastExit.at)}` : '';
  return (
    <li className="rs-sandbox-agents__row" aria-label={`${label}: ${agent.state}`}>
      <span className={`badge rs-state rs-state--${TONE[agent.state]}`}>{agent.state}</span> {label}{' '}
      <span className="rs-muted">
        {restarts}
        {last}
      </span>
    </li>
  );
}

/** The local sandbox's processes: the app starts each again when it dies, and says so here. */
export function SandboxAgents({ sandbox }: { sandbox: SandboxStatus }) {
  return (
    <section aria-label="Local sandbox processes">
      <h3 className="rs-sandbox-agents__title">Local sandbox processes</h3>
      <ul className="rs-sandbox-agents">
        <AgentRow label="Services agent" agent={sandbox.services} />
        {sandbox.workers.map((w) => (
          <AgentRow key={w.name} label={`Worker ${w.name}`} agent={w} />
        ))}
      </ul>
      {sandbox.runtime ? (
        <p className="rs-muted" aria-label="Sandbox runtime">
          Runs capsules with <strong>{sandbox.runtime.name === 'docker' ? 'a container engine' : 'native environments'}</strong>: {sandbox.runtime.reason}.
          {sandbox.environmentCache ? ` Environment cache: ${formatBytes(sandbox.environmentCache.bytes)} of ${formatBytes(sandbox.environmentCache.maxBytes)}.` : ''}
        </p>
      ) : null}
    </section>
  );
}
