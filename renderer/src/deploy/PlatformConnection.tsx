import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { connectDeployment, type DeploymentPlatformStatus, getDeploymentPlatform, platformStatus } from '../../../common/api/platforms.contract.js';
import { callKey, useCall, useCallMutation, useSetCallData } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Loading } from '../components/Loading.js';

// While the app is still reading the stack (just after an install, or at start), ask again this often.
const POLL_MS = 2_000;

const STATE_LABEL = { connected: 'Connected', starting: 'Starting', unreachable: 'Not answering', unauthorized: 'Token refused', none: 'Not connected' } as const;

/**
 * The platform a deployment runs, as the app connected it by itself (stack outputs + the admin
 * token in SSM): whether it answers, its version and workers, and "connect again".
 */
export function PlatformConnection({ deploymentId, stackName }: { deploymentId: string; stackName: string }) {
  const queries = useQueryClient();
  const setData = useSetCallData();
  const status = useCall(getDeploymentPlatform, { deploymentId }, { staleTime: 0 });
  const connect = useCallMutation(connectDeployment, {
    onSuccess: (value) => {
      setData(getDeploymentPlatform, { deploymentId }, value);
      // Capsules and runs now come from this platform.
      void queries.invalidateQueries({ predicate: (q) => q.queryKey[0] !== getDeploymentPlatform.name });
    },
  });
  const connection = status.data?.connection.state;
  const pending = connection === 'never' || connection === 'waiting';
  const { refetch } = status;
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(() => void refetch(), POLL_MS);
    return () => clearInterval(timer);
  }, [pending, refetch]);
  useEffect(() => {
    if (connection === 'connected') void queries.invalidateQueries({ queryKey: callKey(platformStatus) });
  }, [connection, queries]);

  if (status.isPending) return <Loading inline label="Reading the platform" />;
  if (status.error) return <ErrorBanner title={`Could not read the platform of ${stackName}`} error={status.error} onRetry={() => void refetch()} />;
  return <PlatformSummary value={status.data} busy={connect.isPending} onConnect={() => connect.mutate({ deploymentId })} error={connect.error} />;
}

function PlatformSummary({ value, busy, onConnect, error }: { value: DeploymentPlatformStatus; busy: boolean; onConnect: () => void; error: Parameters<typeof ErrorBanner>[0]['error'] | null }) {
  const { connection, platform } = value;
  const state = platform?.state ?? 'none';
  return (
    <div className="platform-connection" data-state={state}>
      {platform?.platform ? (
        <p>
          Platform: <strong data-testid="platform-state">{STATE_LABEL[state]}</strong> at <span className="outputs__value">{platform.platform.url}</span>
          {platform.version ? <> — services agent version <strong data-testid="platform-version">{platform.version}</strong></> : null}
          {platform.platform.active ? ' (the active platform for Capsules and Runs)' : ''}.
        </p>
      ) : (
        <p>
          Platform: <strong data-testid="platform-state">Not connected</strong>.
        </p>
      )}
      {platform?.queues ? (
        <p className="muted">
          Workers online: {platform.queues.cpu.workersOnline} CPU, {platform.queues.gpu.workersOnline} GPU; runs queued: {platform.queues.cpu.queued + platform.queues.gpu.queued}, running:{' '}
          {platform.queues.cpu.running + platform.queues.gpu.running}.
        </p>
      ) : null}
      {platform?.message ? <p className="muted">{platform.message}</p> : null}
      <p className={connection.state === 'failed' ? 'stack-progress__failed' : 'muted'} role={connection.state === 'failed' ? 'alert' : undefined}>
        {connection.state === 'never' ? 'Reading the platform’s address and admin token from the stack…' : connection.message}
        {connection.fix ? ` ${connection.fix}` : ''}
      </p>
      <Button onClick={onConnect} busy={busy} variant={platform?.platform ? 'ghost' : 'primary'}>
        {platform?.platform ? 'Connect again' : 'Connect the platform'}
      </Button>
      {error ? <ErrorBanner title="Could not connect the platform" error={error} /> : null}
    </div>
  );
}
