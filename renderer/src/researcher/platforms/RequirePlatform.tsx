import { useEffect, type ReactNode } from 'react';
import { platformStatus } from '../../../../common/api/platforms.contract.js';
import { useCall } from '../../api/hooks.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Loading } from '../../components/Loading.js';
import { PageHeader } from '../../components/PageHeader.js';
import { PlatformManager } from './PlatformManager.js';

/** The researcher pages need a platform; until one answers, say which and why not, and offer to add or switch. */
export function RequirePlatform({ title, children }: { title: string; children: ReactNode }) {
  const status = useCall(platformStatus, undefined, { staleTime: 5000 });
  const state = status.data?.state;
  // The heading is there from the first frame: the shell focuses it right after a navigation.
  if (status.isPending) {
    return (
      <>
        <PageHeader title={title} />
        <Loading label="Connecting to the platform…" />
      </>
    );
  }
  if (state === 'connected') return <>{children}</>;
  return (
    <>
      <PageHeader title={title} />
      {state === 'starting' ? <StartingPoller onRetry={() => void status.refetch()} /> : null}
      <EmptyState
        icon="alert"
        title={state === 'starting' ? 'The local sandbox is starting' : state === 'none' ? 'No platform is connected' : `Cannot use ${status.data?.platform?.name ?? 'the platform'}`}
        needs={['Connect to a platform (the local sandbox starts with the app).', status.isError ? status.error.message : (status.data?.message ?? 'A platform that answers.')]}
      >
        <p>Capsules and runs live on a platform: the local sandbox on this computer, or your lab's stack added by URL and token.</p>
      </EmptyState>
      <PlatformManager />
    </>
  );
}

function StartingPoller({ onRetry }: { onRetry: () => void }) {
  useEffect(() => {
    const timer = setInterval(onRetry, 1000);
    return () => clearInterval(timer);
  }, [onRetry]);
  return <Loading label="Waiting for the local sandbox…" />;
}
