import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2EApp, UI_POLL, type E2EApp } from './harness.js';
import { PeoplePage } from './pages/people-page.js';
import { ResearcherPage } from './pages/researcher-page.js';

// People and data in Chromium against the real host and local sandbox: the admin invites a
// researcher on the Users page, the invite link connects the app as them (no token copied by
// hand), they upload a dataset whose sealed version lists its files, and they feed one run's
// results to the next and see the lineage both ways.

let app: E2EApp;
let ui: PeoplePage;

beforeAll(async () => {
  app = await startE2EApp({ sandbox: true });
  ui = new PeoplePage(app.page);
  const researcher = new ResearcherPage(app.page);
  await researcher.go('/users');
  await researcher.waitForSandbox(app.stderr);
});

afterAll(async () => {
  await app?.stop();
});

describe('users and datasets in browser mode', () => {
  it('invites a researcher, who connects with the invite link', async () => {
    const link = await ui.invite('Grace Hopper', 'Researcher');
    expect(link).toMatch(/^benchtop:\/\/connect\?platform=/);
    await app.page.screenshot({ path: 'e2e/artifacts/users-invite.png' });
    await app.page.getByRole('button', { name: 'Done' }).click();
    await app.page.getByRole('rowheader', { name: 'Grace Hopper' }).waitFor();
    await ui.join(link);
    await new ResearcherPage(app.page).waitForPlatform();
    // Connected as Grace now: the user list is an admin's, and the page says so.
    await ui.go('/users/people');
    await app.page.getByText('Only an admin manages users').waitFor();
  });

  it('uploads a dataset with progress and seals a version', async () => {
    await ui.createDataset('E2E measurements');
    const files = Array.from({ length: 30 }, (_, i) => ({ name: `sample-${i}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`t,v\n${i},${i * i}\n`) }));
    await ui.uploadFiles(files);
    await app.page.getByRole('heading', { name: /^Version [0-9a-f]{7,12}$/ }).waitFor({ timeout: 30_000 }).catch(async (error: Error) => {
      await app.page.screenshot({ path: 'e2e/artifacts/dataset-upload-failed.png' });
      throw error;
    });
    await app.page.getByRole('rowheader', { name: 'sample-29.csv' }).waitFor();
    expect(await app.page.getByText(/30 files/).first().textContent()).toContain('30 files');
    await app.page.screenshot({ path: 'e2e/artifacts/dataset-version.png' });
  });

  it('feeds a run\'s results to the next step and shows the lineage both ways', async () => {
    const researcher = new ResearcherPage(app.page);
    await researcher.createFromTemplate('E2E pipeline', 'Shell');
    const first = await researcher.launchRunFromCapsule();
    await researcher.waitForRunState('succeeded');
    await researcher.tab('Details');
    const feed = app.page.getByRole('form', { name: 'Use these results in a new run' });
    await feed.getByRole('textbox', { name: 'Mounted at' }).fill('step1');
    await feed.getByRole('button', { name: 'Launch the next step' }).click();
    await app.page.waitForFunction((id) => /^#\/runs\/run_/.test(window.location.hash) && !window.location.hash.includes(id), first);
    // The address changes before the page draws the new run's heading.
    await expect.poll(() => researcher.currentRunId(), UI_POLL).not.toBe(first);
    const second = await researcher.currentRunId();
    await researcher.tab('Details');
    const lineage = app.page.getByRole('region', { name: 'Lineage' });
    await lineage.getByRole('link', { name: first }).waitFor();
    await lineage.getByText('/data/step1').waitFor();
    await researcher.waitForRunState('succeeded');
    await app.page.screenshot({ path: 'e2e/artifacts/lineage.png', fullPage: true });
    await researcher.go(`/runs/${first}/details`);
    await app.page.getByRole('region', { name: 'Lineage' }).getByRole('link', { name: second }).waitFor();
  });
});
