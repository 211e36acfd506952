import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { useLayoutEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../common/api/errors.js';
import { ApiProvider, createQueryClient } from '../api/ApiProvider.js';
import { ToastProvider } from '../components/Toast.js';
import { usePreferences } from '../data/use-preferences.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';
import { AppShell } from './AppShell.js';
import { PAGES } from './routes.js';

beforeEach(() => resetWindow());
afterEach(cleanup);

const heading = () => screen.getByRole('heading', { level: 1 });
const nav = () => screen.getByRole('navigation', { name: 'Pages' });

describe('app shell', () => {
  it('opens Setup when there is no last page, inside banner, navigation and main landmarks', async () => {
    renderApp(createStandardBackend());
    expect(await screen.findByRole('heading', { level: 1, name: 'Setup' })).toBeTruthy();
    expect(screen.getByRole('banner')).toBeTruthy();
    expect(screen.getByRole('main')).toBeTruthy();
    const current = within(nav()).getByRole('link', { current: 'page' });
    expect(current.textContent).toContain('Setup');
    expect(window.location.hash).toBe('#/setup');
  });

  it('lists every page in the sidebar', async () => {
    renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    const labels = within(nav()).getAllByRole('link').map((link) => link.textContent?.replace(/\d+$/, ''));
    expect(labels).toEqual(['Setup', 'Deployment', 'Users', 'Monitoring', 'Alarms', 'Cost', 'Backups', 'Capsules', 'Runs', 'Datasets', 'Terminal']);
  });

  it('reopens the page of the last session', async () => {
    renderApp(createStandardBackend({ preferences: { theme: 'system', lastPage: '/alarms' } }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Alarms' })).toBeTruthy();
  });

  it('keeps a page chosen between the render that knows the last page and the effect that reopens it', async () => {
    const backend = createStandardBackend({ preferences: { theme: 'system', lastPage: '/alarms' } });
    // Sets the address in a layout effect of the same commit that first has the preferences: it
    // runs after the shell rendered with no page in the address and before the shell's effects.
    function ChoosesCapsulesOnSettle() {
      const preferences = usePreferences();
      useLayoutEffect(() => {
        if (preferences.isSuccess) window.location.hash = '#/capsules';
      }, [preferences.isSuccess]);
      return null;
    }
    render(
      <ApiProvider client={backend.client} queryClient={createQueryClient()}>
        <ToastProvider>
          <AppShell />
          <ChoosesCapsulesOnSettle />
        </ToastProvider>
      </ApiProvider>,
    );
    await waitFor(() => expect(heading().textContent).toBe('Capsules'));
    expect(window.location.hash).toBe('#/capsules');
  });

  it('goes to a page on click, marks it current, shows its empty state, and remembers it', async () => {
    const backend = createStandardBackend();
    const { user } = renderApp(backend);
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    await user.click(within(nav()).getByRole('link', { name: /Alarms/ }));
    await waitFor(() => expect(heading().textContent).toBe('Alarms'));
    expect(within(nav()).getByRole('link', { current: 'page' }).textContent).toContain('Alarms');
    expect(await screen.findByText('Nothing to show — no sandbox and no deployment')).toBeTruthy();
    await waitFor(() => expect(backend.preferences.lastPage).toBe('/alarms'));
    expect(document.activeElement).toBe(heading());
    expect(document.title).toBe('Alarms — Benchtop');
  });

  it('shows each page with its own heading', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    for (const page of PAGES) {
      await user.click(within(nav()).getByRole('link', { name: new RegExp(`^${page.label}`) }));
      await waitFor(() => expect(heading().textContent).toBe(page.label));
    }
  });

  it('switches pages with Alt+digit and with g then a letter', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    await user.keyboard('{Alt>}4{/Alt}');
    await waitFor(() => expect(heading().textContent).toBe('Monitoring'));
    await user.keyboard('gc');
    await waitFor(() => expect(heading().textContent).toBe('Capsules'));
    await user.keyboard('g');
    await user.keyboard('t');
    await waitFor(() => expect(heading().textContent).toBe('Terminal'));
  });

  it('leaves letters to a focused select instead of taking them as shortcuts', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    const picker = await screen.findByRole('combobox', { name: 'AWS profile' });
    await waitFor(() => expect((picker as HTMLSelectElement).disabled).toBe(false));
    picker.focus();
    await user.keyboard('gr');
    expect(heading().textContent).toBe('Setup');
  });

  it('opens the shortcut list with ?, keeps focus in it, and closes it with Escape', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    const opener = screen.getByRole('button', { name: 'Keyboard shortcuts' });
    opener.focus();
    await user.keyboard('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(dialog).getByRole('row', { name: /Capsules/ }).textContent).toContain('g then c');
    const close = within(dialog).getByRole('button', { name: 'Close keyboard shortcuts' });
    expect(document.activeElement).toBe(close);
    await user.tab();
    expect(document.activeElement).toBe(close);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('offers a skip link as the first Tab stop that moves focus to the content', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    document.body.focus();
    await user.tab();
    const skip = screen.getByRole('link', { name: 'Skip to content' });
    expect(document.activeElement).toBe(skip);
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('main'));
    expect(window.location.hash).toBe('#/setup');
  });

  it('reaches the sidebar links, profile picker, theme and shortcuts button by Tab', async () => {
    const { user } = renderApp(createStandardBackend());
    await screen.findByRole('heading', { level: 1, name: 'Setup' });
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'AWS profile' }) as HTMLSelectElement).disabled).toBe(false));
    document.body.focus();
    const reached = new Set<Element>();
    for (let i = 0; i < 20; i += 1) {
      await user.tab();
      if (document.activeElement) reached.add(document.activeElement);
    }
    for (const link of within(nav()).getAllByRole('link')) expect(reached.has(link)).toBe(true);
    expect(reached.has(screen.getByRole('combobox', { name: 'AWS profile' }))).toBe(true);
    expect(reached.has(screen.getByRole('radio', { name: 'System theme' }))).toBe(true);
    expect(reached.has(screen.getByRole('button', { name: 'Keyboard shortcuts' }))).toBe(true);
  });

  it('shows the shell and version in the header', async () => {
    renderApp(createStandardBackend());
    const banner = screen.getByRole('banner');
    expect(await within(banner).findByText('Browser mode')).toBeTruthy();
    expect(within(banner).getByText('v0.1.0')).toBeTruthy();
  });

  it('says what went wrong, and what to do, when the main process cannot answer', async () => {
    const backend = createStandardBackend({ appInfo: new ApiError('internal', 'The host stopped answering.', 'Restart benchtop start.') });
    renderApp(backend);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Cannot reach Benchtop's main process");
    expect(alert.textContent).toContain('The host stopped answering.');
    expect(alert.textContent).toContain('Restart benchtop start.');
    expect(within(screen.getByRole('banner')).getByText('Not connected')).toBeTruthy();
  });

  it('explains an unknown address instead of showing a blank page', async () => {
    resetWindow('#/nowhere');
    renderApp(createStandardBackend());
    expect(await screen.findByText('There is no page at /nowhere')).toBeTruthy();
    await act(async () => {
      window.location.hash = '#/%E0%A4%A';
    });
    expect(await screen.findByText('There is no page at /%E0%A4%A')).toBeTruthy();
    await act(async () => {
      window.location.hash = '#/cost';
    });
    await waitFor(() => expect(heading().textContent).toBe('Cost'));
  });
});
