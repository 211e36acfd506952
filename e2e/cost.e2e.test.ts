import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../common/protocol/runs.js';
import { startE2EApp, type E2EApp } from './harness.js';
import { CostPage } from './pages/cost-page.js';
import { ResearcherPage } from './pages/researcher-page.js';

// The PI's and the admin's pages against `benchtop start` with its local sandbox: a local rate
// prices a real run, the month's roll-up shows it and exports it, a limit below the spend pauses
// leasing until resumed; a backup is taken, drilled and restored.

let app: E2EApp;
let ui: CostPage;

beforeAll(async () => {
  app = await startE2EApp({ sandbox: true });
  ui = new CostPage(app.page);
  const researcher = new ResearcherPage(app.page);
  await researcher.go('/capsules');
  await researcher.waitForSandbox(app.stderr);
});

afterAll(async () => {
  await app?.stop();
});

async function finishedRun(id: string): Promise<Run> {
  let run: Run | undefined;
  for (let i = 0; i < 600; i += 1) {
    run = await ui.call<Run>('runs:get', { id });
    if (['succeeded', 'failed', 'cancelled'].includes(run.state)) return run;
    await app.page.waitForTimeout(100);
  }
  throw new Error(`run ${id} did not finish (last seen ${run?.state ?? 'never'})\nsandbox logs:\n${app.sandboxLogs()}`);
}

describe('Cost and Backups pages with the local sandbox', () => {
  it('says runs cost nothing until a local rate is set, then prices a run at that rate', async () => {
    await ui.go('/cost');
    await app.page.getByRole('heading', { level: 1, name: 'Cost' }).waitFor();
    await app.page.getByText(/No local rate is set: runs on this machine cost \$0\.00/).waitFor();

    // The sandbox launches its example capsule's first run once its worker is up. A run is priced
    // when it is leased, so the example is let finish before the rate is set: it stays the one
    // run at $0, and the rate prices exactly one run, the re-run below.
    let first: Run | undefined;
    for (let i = 0; i < 600 && !first; i += 1) {
      first = (await ui.call<{ items: Run[] }>('runs:list', { limit: 10 })).items.at(-1);
      if (!first) await app.page.waitForTimeout(100);
    }
    if (!first) throw new Error(`the sandbox launched no example run\nhost stderr:\n${app.stderr()}`);
    const example = await finishedRun(first.id);

    await app.page.getByRole('textbox', { name: 'USD per hour' }).fill('36');
    await app.page.getByRole('button', { name: 'Set rate' }).click();
    await app.page.getByText(/priced at \$36\.00 per hour/).waitFor();
    const priced = await finishedRun((await ui.call<Run>('runs:rerun', { id: example.id })).id);
    expect(priced).toMatchObject({ state: 'succeeded', costSource: 'local rate of $36/hour set in the app' });
    expect(priced.costUsd).toBeGreaterThan(0);

    await app.page.reload();
    const table = app.page.getByRole('table', { name: 'Cost per researcher' });
    // A header row and at least one researcher's.
    await table.getByRole('row').nth(1).waitFor();
    await app.page.getByText(/local rate of \$36\/hour set in the app \(1 runs\)/).waitFor();
    await app.page.getByRole('tab', { name: 'Per capsule' }).click();
    await app.page.getByRole('table', { name: 'Cost per capsule' }).getByText('Example: random walks').waitFor();
    const download = app.page.waitForEvent('download');
    await app.page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('month,capsule,name,runs,hours,cost_usd');
    expect(csv).toContain('Example: random walks');
    await ui.screenshot('page');
  });

  it('pauses leasing when the month reaches a limit, and resumes when the admin says so', async () => {
    await app.page.getByRole('textbox', { name: /Monthly limit/ }).fill('0.0000001');
    await app.page.getByRole('button', { name: 'Set limit' }).click();
    await app.page.getByText('Leasing is paused.').waitFor();
    await app.page.getByText(/paused: the monthly budget of \$0 is reached; an admin can raise it or resume/).first().waitFor();
    await ui.screenshot('paused');
    await app.page.getByRole('button', { name: 'Resume leasing…' }).click();
    await app.page.getByRole('button', { name: 'Yes, resume' }).click();
    await app.page.getByText(/Resumed by admin/).waitFor();
    await app.page.getByText('Leasing is paused.').waitFor({ state: 'detached' });
  });

  it('takes a backup, drills it and restores it', async () => {
    await ui.go('/backups');
    await app.page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
    await app.page.getByRole('button', { name: 'Back up now' }).click();
    const row = app.page.getByRole('table', { name: 'Database backups' }).getByRole('row', { name: /taken by hand/ });
    await row.waitFor();
    await app.page.getByRole('button', { name: 'Run a restore drill' }).click();
    await app.page.getByRole('status', { name: 'Restore drill' }).getByText(/last drill: ok, just now, \d+ runs/).waitFor();
    await row.getByRole('button', { name: /^Restore / }).click();
    const name = ((await row.getAttribute('title')) ?? (await row.locator('td').first().getAttribute('title')))!;
    expect(await app.page.getByRole('button', { name: 'Restore the platform' }).isDisabled()).toBe(true);
    await app.page.getByRole('textbox', { name: `Type ${name} to restore` }).fill(name);
    await app.page.getByRole('button', { name: 'Restore the platform' }).click();
    await app.page.getByText(/The platform now holds the records of/).first().waitFor();
    await app.page.getByRole('row', { name: /before a restore/ }).waitFor();
    await ui.screenshot('backups');
  });
});
