import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { platformStatus, type PlatformStatus } from '../../../../common/api/platforms.contract.js';
import { ApiProvider, createQueryClient } from '../../api/ApiProvider.js';
import { ToastProvider } from '../../components/Toast.js';
import { createFakeBackend } from '../../test/fake-backend.js';
import { PlatformBadge } from './PlatformBadge.js';

afterEach(cleanup);

const lab = { id: 'lab', name: 'Lab', url: 'https://lab.example', kind: 'remote' as const, hasToken: true, active: true };

async function openBadge(status: PlatformStatus) {
  const backend = createFakeBackend((router) => router.handle(platformStatus, () => status));
  render(
    <ApiProvider client={backend.client} queryClient={createQueryClient()}>
      <ToastProvider>
        <PlatformBadge />
      </ToastProvider>
    </ApiProvider>,
  );
  const details = (await screen.findByLabelText('Platform: Lab, connected')).closest('details')!;
  details.open = true;
  fireEvent(details, new Event('toggle'));
}

describe('workers in the platform badge', () => {
  it('lists the workers of each queue with the GPU models and counts they reported', async () => {
    await openBadge({
      platform: lab,
      state: 'connected',
      queues: {
        cpu: { queued: 3, running: 4, workersOnline: 4, gpus: [], workerVersions: [] },
        gpu: { queued: 0, running: 1, workersOnline: 2, gpus: [{ model: 'NVIDIA A10G', count: 4 }, { model: 'NVIDIA L4', count: 1 }], workerVersions: [] },
      },
    });
    expect((await screen.findByLabelText('GPU workers')).textContent).toBe('GPU: 2 workers online · 4× NVIDIA A10G, 1× NVIDIA L4 (0 queued, 1 running)');
    expect(screen.getByLabelText('CPU workers').textContent).toBe('CPU: 4 workers online (3 queued, 4 running)');
  });

  it('shows no worker list when the platform did not answer with its queues', async () => {
    await openBadge({ platform: lab, state: 'connected' });
    await screen.findByRole('heading', { name: 'Platforms' });
    expect(screen.queryByLabelText('Workers')).toBeNull();
  });
});
