import { useEffect, useState } from 'react';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { listInstances, type StackInstance } from '../../../common/api/terminal.contract.js';
import { useCall } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';

const ROLE_LABEL: Record<StackInstance['role'], string> = { services: 'Services', 'cpu-worker': 'CPU worker', 'gpu-worker': 'GPU worker', nat: 'NAT', other: 'Other' };
const SSM_LABEL: Record<StackInstance['ssm']['status'], string> = { online: 'Online', 'connection-lost': 'Connection lost', inactive: 'Inactive', 'not-registered': 'Not registered' };

export function uptime(launchedAt: string | null, now = Date.now()): string {
  if (!launchedAt) return '—';
  const minutes = Math.max(0, Math.floor((now - Date.parse(launchedAt)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/** The selected deployment's instances with their SSM status; `onOpen` starts a shell on one. */
export function InstancePicker({ onOpen, opening }: { onOpen: (deploymentId: string, instance: StackInstance) => void; opening: string | undefined }) {
  const deployments = useCall(listDeployments, undefined);
  const [deploymentId, setDeploymentId] = useState<string>('');
  const items = deployments.data?.deployments ?? [];
  useEffect(() => {
    if (!deploymentId && items[0]) setDeploymentId(items[0].id);
  }, [deploymentId, items]);
  const instances = useCall(listInstances, { deploymentId }, { enabled: deploymentId !== '', staleTime: 10_000 });

  if (deployments.isPending) return <Loading label="Reading deployments…" />;
  if (deployments.isError) return <ErrorBanner title="Could not read the deployments" error={deployments.error} onRetry={() => void deployments.refetch()} retrying={deployments.isFetching} />;
  if (items.length === 0) {
    return (
      <EmptyState icon="terminal" title="No deployment to connect to" needs={['A deployed stack (see Deployment).', 'An AWS profile allowed to start SSM sessions.']}>
        <p>Instances of a deployed stack appear here, with their SSM agent status.</p>
      </EmptyState>
    );
  }
  return (
    <section className="term-picker" aria-labelledby="term-picker-title">
      <div className="term-picker__head">
        <h2 id="term-picker-title">Instances</h2>
        <label>
          Deployment{' '}
          <select value={deploymentId} onChange={(e) => setDeploymentId(e.target.value)}>
            {items.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.region}
                {d.profile ? `, ${d.profile}` : ''})
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" variant="ghost" onClick={() => void instances.refetch()} busy={instances.isFetching}>
          Refresh
        </Button>
      </div>
      {instances.isError ? <ErrorBanner title="Could not list the instances" error={instances.error} onRetry={() => void instances.refetch()} retrying={instances.isFetching} /> : null}
      {instances.isPending && deploymentId ? <Loading label="Asking Auto Scaling, EC2 and SSM…" /> : null}
      {instances.data && instances.data.instances.length === 0 ? <p className="term-picker__empty">This stack has no instances now (worker groups at zero are normal; the services instance may be replacing itself).</p> : null}
      {instances.data && instances.data.instances.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Instance</th>
                <th scope="col">Zone</th>
                <th scope="col">Type</th>
                <th scope="col">Uptime</th>
                <th scope="col">SSM agent</th>
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {instances.data.instances.map((i) => (
                <tr key={i.instanceId}>
                  <th scope="row">{ROLE_LABEL[i.role]}</th>
                  <td>
                    <code>{i.instanceId}</code>
                    {i.name ? <div className="term-picker__sub">{i.name}</div> : null}
                  </td>
                  <td>{i.zone ?? '—'}</td>
                  <td>{i.instanceType ?? '—'}</td>
                  <td>{i.state === 'running' ? uptime(i.launchedAt) : i.state}</td>
                  <td>
                    <span className={`term-ssm term-ssm--${i.ssm.status}`}>{SSM_LABEL[i.ssm.status]}</span>
                    {i.ssm.agentVersion ? <div className="term-picker__sub">agent {i.ssm.agentVersion}</div> : null}
                    {i.reason ? <div className="term-picker__reason">{i.reason}</div> : null}
                  </td>
                  <td>
                    <Button size="sm" variant="primary" disabled={!i.reachable} busy={opening === i.instanceId} onClick={() => onOpen(deploymentId, i)} aria-label={`Open a shell on ${ROLE_LABEL[i.role]} ${i.instanceId}`}>
                      Open shell
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
