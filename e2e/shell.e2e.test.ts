import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, E2E_IDENTITY, E2E_PROFILES, startE2EApp, UI_POLL, type E2EApp } from './harness.js';
import { startHeaderRecorder } from './header-recorder.js';
import { SetupPage } from './pages/setup-page.js';
import { ShellPage } from './pages/shell-page.js';

// Each page in sidebar order, with the shortcut letter and what its page shows with no stack
// deployed. Capsules and Runs belong to the researcher UI: with no platform connected they say so
// (the shell's placeholder said "Connect to a platform"). When a page gets real content, its line
// here changes with it.
const NO_PLATFORM = /No platform is connected|The local sandbox is starting|Connect to a platform \(the local sandbox starts with the app\)/;
const PAGES = [
  { id: 'setup', label: 'Setup', letter: 's', shows: /AWS profiles/ },
  { id: 'deployment', label: 'Deployment', letter: 'd', shows: /No deployment yet — connect an AWS profile and run Setup to install the platform/ },
  { id: 'users', label: 'Users', letter: 'u', shows: NO_PLATFORM },
  { id: 'monitoring', label: 'Monitoring', letter: 'm', shows: /Nothing to show — no sandbox and no deployment/ },
  { id: 'alarms', label: 'Alarms', letter: 'a', shows: /Nothing to show — no sandbox and no deployment/ },
  { id: 'cost', label: 'Cost', letter: 'o', shows: /No AWS deployment/ },
  { id: 'backups', label: 'Backups', letter: 'b', shows: /Platform database/ },
  { id: 'capsules', label: 'Capsules', letter: 'c', shows: NO_PLATFORM },
  { id: 'runs', label: 'Runs', letter: 'r', shows: NO_PLATFORM },
  { id: 'datasets', label: 'Datasets', letter: 'f', shows: NO_PLATFORM },
  { id: 'terminal', label: 'Terminal', letter: 't', shows: /No deployment to connect to/ },
] as const;

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let app: E2EApp;
let shell: ShellPage;
let setup: SetupPage;

beforeAll(async () => {
  app = await startE2EApp();
  shell = new ShellPage(app.page);
  setup = new SetupPage(app.page);
});

// A failed step leaves what it saw: the page as a screenshot and the host's log.
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || !app) return;
  const name = `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
  await shell.screenshot(name).catch(() => undefined);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, `${name}.host.log`), app.stderr());
});

afterAll(async () => {
  await app?.stop();
});

describe('browser mode in Chromium', () => {
  it('opens on Setup, signed in by the token URL, with the shell and version in the header', async () => {
    await shell.waitForPage('Setup');
    expect(new URL(app.page.url()).searchParams.has('token')).toBe(false);
    await expect.poll(() => shell.currentNavLabel(), UI_POLL).toBe('Setup');
    // The header fills in once the app's info call answers, which may be after the page is shown.
    await shell.banner.getByText('Browser mode').waitFor();
    await shell.banner.getByText(`v${version}`).waitFor();
    const header = (await shell.banner.textContent()) ?? '';
    expect(header).toContain('Browser mode');
    expect(header).toContain(`v${version}`);
  });

  it('gives another server on 127.0.0.1 nothing that opens the API, and a client with what it saw is refused', async () => {
    const secret = await app.page.evaluate(() => sessionStorage.getItem('benchtop.page-secret'));
    const token = new URL(app.url).searchParams.get('token') ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await app.context.cookies()).toEqual([]);

    const recorder = await startHeaderRecorder();
    try {
      const other = await app.context.newPage();
      await other.goto(recorder.url);
      await other.waitForFunction(() => document.title === 'probed');
      // The image and the script's fetch are separate requests: the fetch can come back first.
      await expect.poll(() => recorder.requests.map((r) => r.path), UI_POLL).toEqual(expect.arrayContaining(['/', '/pixel.gif', '/probe']));
      await other.close();
      for (const { headers } of recorder.requests) {
        expect(headers.cookie).toBeUndefined();
        expect(headers.authorization).toBeUndefined();
        expect(JSON.stringify(headers)).not.toContain(secret);
        expect(JSON.stringify(headers)).not.toContain(token);
      }

      // A plain HTTP client replaying everything the other server was sent (its own Host and
      // Origin aside, which our host refuses with 403 anyway) gets 401, as does the spent token.
      const call = (headers: Record<string, string>) =>
        fetch(`${app.origin}/api/call/app:get-info`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
      for (const { headers } of recorder.requests) {
        const replay = Object.fromEntries(
          Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !['host', 'origin', 'connection', 'content-length'].includes(entry[0])),
        );
        expect((await call(replay)).status).toBe(401);
      }
      expect((await call({ authorization: `Bearer ${token}` })).status).toBe(401);
      const exchange = await fetch(`${app.origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      expect(exchange.status).toBe(401);
      // The page's own secret does open it: the refusals above are about the credential.
      expect((await call({ authorization: `Bearer ${secret}` })).status).toBe(200);
    } finally {
      await recorder.close();
    }
  });

  it('refuses the spent address in another tab, saying what to do', async () => {
    const tab = await app.context.newPage();
    try {
      await tab.goto(app.url);
      await tab.getByText('The token in this address was already used: it signs one tab in, once.').first().waitFor();
      await tab.getByText(/Go back to the tab where Benchtop is open/).first().waitFor();
      expect(new URL(tab.url()).searchParams.has('token')).toBe(false);
      await new ShellPage(tab).screenshot('spent-address-in-another-tab');
    } finally {
      await tab.close();
    }
  });

  it('lists the profiles of ~/.aws/config and shows who the chosen one is', async () => {
    await expect.poll(() => setup.profileNames(), UI_POLL).toEqual([E2E_PROFILES.good.name, E2E_PROFILES.revoked.name]);
    await setup.useProfile(E2E_PROFILES.good.name);
    await setup.identity.getByText(E2E_IDENTITY.arn).waitFor();
    await shell.banner.getByText(E2E_IDENTITY.account).waitFor();
    await expect.poll(() => shell.profilePicker.inputValue(), UI_POLL).toBe(E2E_PROFILES.good.name);
    await shell.screenshot('setup');
  });

  it('shows why the identity check of a refused profile failed', async () => {
    await shell.profilePicker.selectOption(E2E_PROFILES.revoked.name);
    const alert = setup.identityError();
    await expect.poll(() => alert.textContent(), UI_POLL).toContain(`Could not confirm the identity of "${E2E_PROFILES.revoked.name}"`);
    const text = (await alert.textContent()) ?? '';
    expect(text.length).toBeGreaterThan(80);
    await shell.screenshot('setup-identity-error');
    await shell.profilePicker.selectOption(E2E_PROFILES.good.name);
    await setup.identity.getByText(E2E_IDENTITY.arn).waitFor();
  });

  it('visits every page by click, each with its heading, current link and empty state', async () => {
    for (const page of PAGES) {
      await shell.clickPage(page.label);
      await expect.poll(() => shell.currentNavLabel(), UI_POLL).toBe(page.label);
      await shell.main.getByText(page.shows).first().waitFor();
      await shell.screenshot(page.id);
    }
  });

  it('visits every page by keyboard: Alt+digit and g then a letter', async () => {
    // Alt+1..9 reaches the first nine pages; every page has its letter.
    for (const [index, page] of PAGES.slice(0, 9).entries()) {
      await shell.clickPage(index === 0 ? 'Terminal' : 'Setup');
      await shell.pressAltDigit(index + 1);
      await shell.waitForPage(page.label);
      await expect.poll(() => shell.currentNavLabel(), UI_POLL).toBe(page.label);
    }
    for (const page of [...PAGES].reverse()) {
      await shell.pressChord(page.letter);
      await shell.waitForPage(page.label);
      // The heading takes focus in an effect that runs after the page is drawn.
      await expect.poll(() => shell.focusedText(), UI_POLL).toBe(page.label);
    }
  });

  it('reaches the skip link first by Tab and moves to the content with it, then Tab walks the sidebar', async () => {
    await shell.clickPage('Cost');
    // The page moves focus to its heading after a navigation; starting over before that would lose to it.
    await expect.poll(() => shell.focusedText(), UI_POLL).toBe('Cost');
    await shell.focusDocumentStart();
    await app.page.keyboard.press('Tab');
    expect(await shell.focusedText()).toBe('Skip to content');
    expect(await app.page.getByRole('link', { name: 'Skip to content' }).isVisible()).toBe(true);
    await app.page.keyboard.press('Enter');
    expect(await app.page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(new URL(app.page.url()).hash).toBe('#/cost');
    await shell.focusDocumentStart();
    await app.page.keyboard.press('Tab');
    await app.page.keyboard.press('Tab');
    expect(await shell.focusedText()).toMatch(/^Setup/);
    const outline = await app.page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).toBe('solid');
    await app.page.keyboard.press('Enter');
    await shell.waitForPage('Setup');
  });

  it('lists the shortcuts on ?, and closes the list with Escape', async () => {
    await app.page.keyboard.press('?');
    await shell.helpDialog.waitFor();
    expect(await shell.helpDialog.getByRole('row', { name: /Capsules/ }).textContent()).toContain('g then c');
    await shell.screenshot('shortcuts');
    await app.page.keyboard.press('Escape');
    await shell.helpDialog.waitFor({ state: 'detached' });
  });

  it('switches to the dark theme, keeps it after a reload, and moves between themes with arrow keys', async () => {
    await shell.clickPage('Setup');
    await shell.chooseTheme('Dark');
    await shell.waitForTheme('dark');
    // The attribute flips first; the page is repainted with the dark colours just after.
    await expect.poll(() => app.page.evaluate(() => getComputedStyle(document.body).backgroundColor), UI_POLL).toBe('rgb(14, 17, 22)');
    for (const page of PAGES) {
      await shell.clickPage(page.label);
      await shell.screenshot(`${page.id}-dark`);
    }
    await expect.poll(() => shell.storedPreferences(), UI_POLL).toMatchObject({ theme: 'dark', lastPage: expect.stringMatching(/^\/terminal/) });
    await app.page.goto(`${app.origin}/`);
    await shell.waitForPage('Terminal');
    await shell.waitForTheme('dark');
    await app.page.getByRole('radio', { name: 'Dark theme' }).focus();
    await app.page.keyboard.press('ArrowLeft');
    await shell.waitForThemeChoice('Light');
    await shell.waitForTheme('light');
  });

  it('follows the operating system while the System theme is chosen', async () => {
    await shell.chooseTheme('System');
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await shell.waitForTheme('dark');
    await app.page.emulateMedia({ colorScheme: 'light' });
    await shell.waitForTheme('light');
  });

  it('reopens the last page and the chosen profile after a reload', async () => {
    await shell.clickPage('Alarms');
    // The page is saved as the last one by a call made after it is shown.
    await expect.poll(async () => (await shell.storedPreferences()).lastPage, UI_POLL).toBe('/alarms');
    await app.page.goto(`${app.origin}/`);
    await shell.waitForPage('Alarms');
    // The page comes back before the profile list is read again, so the picker is empty for a moment.
    await expect.poll(() => shell.profilePicker.inputValue(), UI_POLL).toBe(E2E_PROFILES.good.name);
    await shell.banner.getByText(E2E_IDENTITY.account).waitFor();
  });
});
