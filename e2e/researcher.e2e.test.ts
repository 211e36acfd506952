import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2EApp, UI_POLL, type E2EApp } from './harness.js';
import { ResearcherPage } from './pages/researcher-page.js';

// The researcher's path end to end: `benchtop start` with its local sandbox (real services agent,
// real worker running Python), driven in Chromium — a capsule from a template, an edit, a run with
// live logs and a result image, a re-run compared with the first as identical.

let app: E2EApp;
let ui: ResearcherPage;

beforeAll(async () => {
  app = await startE2EApp({ sandbox: true });
  ui = new ResearcherPage(app.page);
  await ui.go('/capsules');
  await ui.waitForSandbox(app.stderr);
});

afterAll(async () => {
  await app?.stop();
});

describe('researcher in browser mode with the local sandbox', () => {
  let firstRun = '';

  it('creates a capsule from the Python template and edits a file as a new version', async () => {
    await ui.screenshot('capsules');
    await ui.createFromTemplate('E2E oscillation', 'Python');
    // 60 steps, 0.1 s apart: six seconds of output, so the log is seen growing while the run
    // prints even when a loaded machine holds the lines back for a second or two on their way.
    await ui.editFile('main.py', (text) => {
      expect(text).toContain('"PARAM_steps", "40"');
      expect(text).toContain('time.sleep(0.05)');
      return text.replace('"PARAM_steps", "40"', '"PARAM_steps", "60"').replace('time.sleep(0.05)', 'time.sleep(0.1)');
    });
    await expect.poll(() => ui.viewerText().textContent(), UI_POLL).toContain('"PARAM_steps", "60"');
    await app.page.getByRole('tab', { name: 'History' }).click();
    await app.page.getByText('Edit main.py').waitFor();
    await ui.screenshot('capsule');
    await app.page.getByRole('tab', { name: 'Files' }).click();
  });

  it('launches a run and shows its log lines as they arrive', async () => {
    const liveCounts = await ui.recordLiveLogCounts();
    const toasts = await ui.recordToasts();
    firstRun = await ui.launchRunFromCapsule();
    // While following, the view draws only the bottom rows: the first line is on screen only
    // until the lines after it fill the view (or never, when they arrive in one batch), so the
    // newest line is what is waited for here and the first one is looked for below.
    await ui.logRow('step 60/60:').waitFor({ timeout: 90_000 });
    const late = Number(((await ui.logCount().textContent()) ?? '').replace(/\D/g, ''));
    expect(late).toBeGreaterThanOrEqual(60);
    // Seen while the run still printed (the page noted each count it drew, not one the test read
    // a round trip later): the count grew on screen without a reload.
    expect((await liveCounts()).filter((n) => n > 0 && n < 60), 'line counts shown while the log was live').not.toEqual([]);
    await ui.waitForRunState('succeeded');
    // The notification is gone after a few seconds; the page wrote down each one it showed.
    await expect.poll(async () => (await toasts()).some((t) => t.startsWith(`Run succeeded: ${firstRun}`)), UI_POLL).toBe(true);
    await ui.screenshot('run-logs');
    await ui.scrollLogToTop();
    await ui.logRow('step 1/60:').waitFor();
  });

  it('opens the result image', async () => {
    await ui.tab('Results');
    await app.page.getByRole('navigation', { name: 'Result files' }).getByRole('button', { name: /^plot\.svg/ }).click();
    const image = app.page.getByRole('img', { name: 'plot.svg' });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), UI_POLL).toBe(400);
    await ui.screenshot('run-results');
  });

  it('re-runs the run and compares the two as identical', async () => {
    await app.page.getByRole('button', { name: 'Re-run' }).click();
    await expect.poll(() => ui.currentRunId(), UI_POLL).not.toBe(firstRun);
    const second = await ui.currentRunId();
    await ui.waitForRunState('succeeded', 90_000);
    await app.page.getByRole('button', { name: 'Compare…' }).click();
    await ui.heading('Compare runs').waitFor();
    await app.page.getByRole('combobox', { name: 'Compare with' }).selectOption(firstRun);
    await app.page.getByText('The results are identical').waitFor();
    expect(await app.page.locator('.page-header').textContent()).toContain(second);
    await ui.screenshot('compare');
    await ui.go('/runs');
    await app.page.locator(`[data-run-id="${firstRun}"]`).waitFor();
    await ui.screenshot('runs');
  });
});
