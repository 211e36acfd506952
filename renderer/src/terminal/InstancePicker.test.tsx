import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { listInstances, type StackInstance } from '../../../common/api/terminal.contract.js';
import { ApiProvider, createQueryClient } from '../api/ApiProvider.js';
import { createFakeBackend } from '../test/fake-backend.js';
import { InstancePicker, uptime } from './InstancePicker.js';

afterEach(cleanup);

const deployment = { id: '123456789012/eu-west-1/lab', name: 'lab', region: 'eu-west-1', accountId: '123456789012', createdAt: '2026-12-01T08:00:00.000Z' };
const instance = (over: Partial<StackInstance>): StackInstance => ({
  instanceId: 'i-0aaaabbbbccccdddd',
  role: 'services',
  name: null,
  zone: 'eu-west-1a',
  instanceType: 't4g.medium',
  state: 'running',
  launchedAt: new Date(Date.now() - 90 * 60_000).toISOString(),
  ssm: { status: 'online', agentVersion: '3.3.1', lastPingAt: null, platform: null },
  reachable: true,
  reason: null,
  ...over,
});

describe('instance picker', () => {
  it('lists instances with role, zone, type, uptime and SSM status, opens a reachable one and says why another is not', async () => {
    const backend = createFakeBackend((router) => {
      router.handle(listDeployments, () => ({ deployments: [deployment] }));
      router.handle(listInstances, () => ({
        instances: [
          instance({}),
          instance({ instanceId: 'i-0cpu000000000001', role: 'cpu-worker', reachable: false, ssm: { status: 'not-registered', agentVersion: null, lastPingAt: null, platform: null }, reason: 'Its SSM agent has not registered with Systems Manager.' }),
        ],
      }));
    });
    const onOpen = vi.fn();
    render(
      <ApiProvider client={backend.client} queryClient={createQueryClient()}>
        <InstancePicker onOpen={onOpen} opening={undefined} />
      </ApiProvider>,
    );
    const services = (await screen.findByText('i-0aaaabbbbccccdddd')).closest('tr')!;
    expect(within(services).getByText('Services')).toBeTruthy();
    expect(within(services).getByText('1 h 30 min')).toBeTruthy();
    expect(within(services).getByText('Online')).toBeTruthy();
    const worker = screen.getByText('i-0cpu000000000001').closest('tr')!;
    expect(within(worker).getByText(/has not registered/)).toBeTruthy();
    expect((within(worker).getByRole('button', { name: /Open a shell/ }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.setup().click(within(services).getByRole('button', { name: 'Open a shell on Services i-0aaaabbbbccccdddd' }));
    expect(onOpen).toHaveBeenCalledWith(deployment.id, expect.objectContaining({ instanceId: 'i-0aaaabbbbccccdddd' }));
    expect(backend.calls.find((c) => c.name === 'terminal:list-instances')?.input).toEqual({ deploymentId: deployment.id });
  });

  it('says what is needed when there is no deployment', async () => {
    const backend = createFakeBackend((router) => router.handle(listDeployments, () => ({ deployments: [] })));
    render(
      <ApiProvider client={backend.client} queryClient={createQueryClient()}>
        <InstancePicker onOpen={() => undefined} opening={undefined} />
      </ApiProvider>,
    );
    expect(await screen.findByText('No deployment to connect to')).toBeTruthy();
  });

  it('formats uptime', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(uptime('2026-12-03T11:55:00Z', now)).toBe('5 min');
    expect(uptime('2026-12-01T11:00:00Z', now)).toBe('2 days');
    expect(uptime(null, now)).toBe('—');
  });
});
