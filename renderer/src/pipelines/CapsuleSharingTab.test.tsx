import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { getReproducibility, setReproducibility, shareCapsule } from '../../../common/api/capsule-sharing.contract.js';
import { listPeople } from '../../../common/api/users.contract.js';
import type { ReproStatus } from '../../../common/protocol/capsules.js';
import { createResearcherBackend, makeCapsule } from '../researcher/testing/fake-platform.js';
import { renderApp, resetWindow } from '../test/render-app.js';

afterEach(cleanup);

const CAP = 'cap_00000000000000000001';
const ME = 'usr_000000000000000000me';

function backendWith(status: ReproStatus) {
  const backend = createResearcherBackend({ capsules: [makeCapsule({ sharing: { ownerId: ME, visibility: 'private', collaborators: [] } })] });
  backend.router
    .handle(listPeople, () => ({ items: [{ id: ME, name: 'researcher', role: 'researcher' as const }, { id: 'usr_00000000000000000002', name: 'Ada', role: 'researcher' as const }] }))
    .handle(shareCapsule, ({ id }) => backend.platform.capsules.find((c) => c.id === id)!)
    .handle(getReproducibility, () => status)
    .handle(setReproducibility, ({ schedule }) => Object.assign(status, { schedule, summary: 'checking since 2026-12-01 10:00 UTC (re-running run_1)' }));
  return backend;
}

describe('capsule sharing and reproducibility tab', () => {
  it('shows a divergence with the comparison one click away, and schedules checks', async () => {
    const status: ReproStatus = {
      capsuleId: CAP, schedule: 'weekly', nextCheckAt: '2026-12-08T10:00:00.000Z', summary: 'diverged on 2026-12-01: 2 files changed',
      latest: { baselineRunId: 'run_00000000000000000001', checkRunId: 'run_00000000000000000002', startedAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:05:00.000Z', outcome: 'diverged', differences: 2 },
    };
    const backend = backendWith(status);
    resetWindow(`#/capsules/${CAP}/sharing`);
    const { user } = renderApp(backend);
    const card = await screen.findByRole('region', { name: 'Reproducibility' });
    expect(within(card).getByRole('status').textContent).toBe('diverged on 2026-12-01: 2 files changed');
    expect(within(card).getByRole('link', { name: 'compare the results' }).getAttribute('href')).toBe('#/runs/run_00000000000000000001/compare/run_00000000000000000002');
    await user.selectOptions(within(card).getByRole('combobox', { name: 'Repeat the last successful run' }), 'daily');
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'capsules:set-reproducibility')?.input).toEqual({ id: CAP, schedule: 'daily', checkNow: false }));
    await user.click(within(card).getByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(backend.calls.filter((c) => c.name === 'capsules:set-reproducibility').at(-1)?.input).toMatchObject({ checkNow: true }));
  });

  it('shares the capsule with a collaborator', async () => {
    const backend = backendWith({ capsuleId: CAP, schedule: 'off', nextCheckAt: null, latest: null, summary: 'not checked' });
    resetWindow(`#/capsules/${CAP}/sharing`);
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('checkbox', { name: /Ada/ }));
    await user.click(screen.getByRole('button', { name: 'Save sharing' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'capsules:share')?.input).toEqual({ id: CAP, visibility: 'private', collaborators: ['usr_00000000000000000002'] }));
  });
});
