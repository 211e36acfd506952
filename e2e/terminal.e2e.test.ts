import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2EApp, UI_POLL, type E2EApp } from './harness.js';
import { ResearcherPage } from './pages/researcher-page.js';
import { TerminalPage } from './pages/terminal-page.js';

// Terminals end to end in Chromium against `benchtop start` with its local sandbox: a shell on the
// sandbox host, and a shell inside a running run opened from the run page; each types a command
// and reads its echo from xterm's screen. Bytes go page → WebSocket → hub → pty and back.

let app: E2EApp;
let ui: ResearcherPage;
let term: TerminalPage;

beforeAll(async () => {
  app = await startE2EApp({ sandbox: true });
  ui = new ResearcherPage(app.page);
  term = new TerminalPage(app.page);
  await ui.go('/capsules');
  await ui.waitForSandbox(app.stderr);
});

afterAll(async () => {
  await app?.stop();
});

describe('terminals in browser mode', () => {
  it('opens a shell on the sandbox host and shows what it echoes', async () => {
    await ui.go('/terminal');
    await app.page.getByRole('button', { name: 'Shell on the sandbox host' }).click();
    await term.terminal().locator('.xterm-rows').waitFor();
    await term.type('echo host-$((6*7))');
    await expect.poll(() => term.screenText(), UI_POLL).toMatch(/host-42/);
    await ui.screenshot('terminal-host');
  });

  it("opens a shell inside a running run from the run page", async () => {
    const capsule = await term.call<{ id: string }>('capsules:create', {
      name: 'E2E long run',
      environment: { baseImage: 'python:3.12-slim' },
      command: ['sh', '-c', 'echo started; sleep 120'],
      files: [{ path: 'README.md', content: 'a run to open a terminal into\n' }],
    });
    const run = await term.call<{ id: string }>('runs:launch', { capsuleId: capsule.id });
    await ui.go(`/runs/${run.id}`);
    await ui.waitForRunState('running', 60_000);
    await app.page.getByRole('button', { name: 'Terminal' }).click();
    await term.terminal().locator('.xterm-rows').waitFor({ timeout: 30_000 });
    await expect.poll(() => term.terminal().locator('.term__note').textContent(), UI_POLL).toMatch(/run's sandbox|run's folders/);
    await term.type('echo in-run-$((6*7)) && ls /code 2>/dev/null || ls "$CODE_DIR"');
    await expect.poll(() => term.screenText(), UI_POLL).toMatch(/in-run-42/);
    // ls prints after the echo, possibly in a later chunk.
    await expect.poll(() => term.screenText(), UI_POLL).toContain('README.md');
    await ui.screenshot('terminal-run');
    await term.call('runs:cancel', { id: run.id });
  });
});
