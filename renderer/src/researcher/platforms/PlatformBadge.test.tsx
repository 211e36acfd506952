import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { platformStatus, type PlatformStatus } from '../../../../common/api/platforms.contract.js';
import { ApiProvider, createQueryClient } from '../../api/ApiProvider.js';
import { ToastProvider } from '../../components/Toast.js';
import { createFakeBackend } from '../../test/fake-backend.js';
import { PlatformBadge } from './PlatformBadge.js';

afterEach(cleanup);

const local = { id: 'local', name: 'Local sandbox', url: 'http://127.0.0.1:7300', kind: 'local' as const, hasToken: true, active: true };

function renderBadge(status: PlatformStatus) {
  const backend = createFakeBackend((router) => router.handle(platformStatus, () => status));
  render(
    <ApiProvider client={backend.client} queryClient={createQueryClient()}>
      <ToastProvider>
        <PlatformBadge />
      </ToastProvider>
    </ApiProvider>,
  );
}

describe('platform badge', () => {
  it("shows the sandbox's services agent restarting after a kill, with its restart count", async () => {
    renderBadge({
      platform: local,
      state: 'starting',
      message: "The local sandbox's services agent stopped (killed by SIGKILL); Benchtop is starting it again…",
      sandbox: {
        services: { name: 'services', state: 'restarting', restarts: 2, lastExit: { how: 'killed by SIGKILL', at: '2026-11-23T10:00:00.000Z' } },
        workers: [{ name: 'sandbox-w1', state: 'running', restarts: 0, lastExit: null }],
      },
    });
    const summary = await screen.findByLabelText('Platform: Local sandbox, starting');
    const details = summary.closest('details')!;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    const services = await screen.findByLabelText('Services agent: restarting');
    expect(services.textContent).toContain('restarted 2 times');
    expect(services.textContent).toContain('last stop: killed by SIGKILL');
    expect(screen.getByLabelText('Worker sandbox-w1: running').textContent).toContain('never restarted');
  });

  it('shows no process list for a remote platform', async () => {
    renderBadge({ platform: { ...local, id: 'lab', name: 'Lab', kind: 'remote' }, state: 'connected' });
    const summary = await screen.findByLabelText('Platform: Lab, connected');
    const details = summary.closest('details')!;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    await screen.findByRole('heading', { name: 'Platforms' });
    expect(screen.queryByLabelText('Local sandbox processes')).toBeNull();
  });
});
