import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportRollupCsv, getLocalRate, getPlatformBudget, getRollup, resumePlatformBudget, setLocalRate } from '../../../common/api/cost.contract.js';
import { platformStatus } from '../../../common/api/platforms.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import type { BudgetState, CostRollup } from '../../../common/protocol/cost.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/cost'));
afterEach(cleanup);

const PAUSED: BudgetState = {
  source: 'local', name: 'local', month: '2026-12', limitUsd: 5, actualUsd: 5.2, forecastUsd: 9, basis: 'actual', hardStop: true, paused: true,
  reason: 'paused: the monthly budget of $5 is reached; an admin can raise it or resume', resumed: null, checkedAt: '2026-12-01T10:00:00.000Z', error: null, intervalSeconds: 60,
};

function rollup(month: string, by: CostRollup['by']): CostRollup {
  return {
    month, by, currency: 'USD', totalUsd: 5.2, runs: 3, unpricedRuns: 1, sources: [{ source: 'local rate of $2/hour set in the app', runs: 3 }],
    items: [{ key: 'usr_1', label: by === 'capsule' ? 'Oscillation study' : 'ada', runs: 3, hours: 2.6, costUsd: 5.2 }],
  };
}

function backend() {
  const b = createStandardBackend();
  let budget = PAUSED;
  let rate: number | null = null;
  b.router.handle(listDeployments, () => ({ deployments: [] }));
  b.router.handle(platformStatus, () => ({ platform: { id: 'local', name: 'Local sandbox', url: 'http://127.0.0.1:1', kind: 'local' as const, hasToken: true, active: true }, state: 'connected' as const }));
  b.router.handle(getRollup, ({ month, by }) => rollup(month, by));
  b.router.handle(exportRollupCsv, ({ month, by }) => ({ filename: `benchtop-cost-${month}-by-${by}.csv`, csv: 'month,capsule\n' }));
  b.router.handle(getLocalRate, () => ({ hourlyUsd: rate }));
  b.router.handle(setLocalRate, ({ hourlyUsd }) => ((rate = hourlyUsd), { hourlyUsd: rate }));
  b.router.handle(getPlatformBudget, () => budget);
  b.router.handle(resumePlatformBudget, () => (budget = { ...budget, paused: false, reason: null, resumed: { at: '2026-12-01T10:05:00.000Z', by: 'admin', limitUsd: 5 } }));
  return b;
}

describe('Cost page', () => {
  it('shows the month per researcher and per capsule, with unpriced runs and where prices came from', async () => {
    const { user } = renderApp(backend());
    const table = await screen.findByRole('table', { name: 'Cost per researcher' });
    expect(within(table).getByText('ada')).toBeTruthy();
    expect(screen.getByText(/1 ran on workers with no known price and are not counted/)).toBeTruthy();
    expect(screen.getByText(/local rate of \$2\/hour set in the app \(3 runs\)/)).toBeTruthy();
    await user.click(screen.getByRole('tab', { name: 'Per capsule' }));
    expect(within(await screen.findByRole('table', { name: 'Cost per capsule' })).getByText('Oscillation study')).toBeTruthy();
  });

  it('says runs cost nothing until a local rate is set, and refuses a rate that is not a number', async () => {
    const b = backend();
    const { user } = renderApp(b);
    expect(await screen.findByText(/No local rate is set: runs on this machine cost \$0\.00/)).toBeTruthy();
    await user.type(screen.getByRole('textbox', { name: 'USD per hour' }), 'abc');
    expect(screen.getByText(/Enter dollars per hour/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Set rate' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(screen.getByRole('textbox', { name: 'USD per hour' }));
    await user.type(screen.getByRole('textbox', { name: 'USD per hour' }), '0.4');
    await user.click(screen.getByRole('button', { name: 'Set rate' }));
    expect(await screen.findByText(/priced at \$0\.40 per hour/)).toBeTruthy();
    expect(b.calls.find((c) => c.name === 'cost:set-local-rate')?.input).toEqual({ hourlyUsd: 0.4 });
  });

  it('shows a paused queue with its reason and resumes only after a confirmation', async () => {
    const b = backend();
    const { user } = renderApp(b);
    const alert = await screen.findByText('Leasing is paused.');
    expect(alert.closest('[role="alert"]')!.textContent).toContain('paused: the monthly budget of $5 is reached; an admin can raise it or resume');
    await user.click(screen.getByRole('button', { name: 'Resume leasing…' }));
    expect(b.calls.some((c) => c.name === 'cost:resume-platform-budget')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Yes, resume' }));
    await waitFor(() => expect(screen.queryByText('Leasing is paused.')).toBeNull());
    expect(screen.getByText(/Resumed by admin/)).toBeTruthy();
  });
});
