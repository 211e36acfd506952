import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../common/api/errors.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const root = () => document.documentElement;
const radio = (label: string) => screen.getByRole('radio', { name: `${label} theme` }) as HTMLInputElement;

/** A stand-in for the OS colour scheme that the test can flip. */
function stubSystemScheme(dark: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return dark;
    },
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  vi.stubGlobal('matchMedia', () => query);
  return {
    set(next: boolean) {
      dark = next;
      listeners.forEach((listener) => listener());
    },
  };
}

describe('theme', () => {
  it('applies the stored theme at start', async () => {
    renderApp(createStandardBackend({ preferences: { theme: 'dark' } }));
    await waitFor(() => expect(root().dataset.theme).toBe('dark'));
    expect((screen.getByRole('radio', { name: 'Dark theme' }) as HTMLInputElement).checked).toBe(true);
  });

  it('switches in the same event as the click, before the save answers, and saves the choice', async () => {
    const backend = createStandardBackend({ preferences: { theme: 'light' }, saveAnswerDelayMs: (patch) => ('theme' in patch ? 200 : 0) });
    renderApp(backend);
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    // No waiting after the click: a browser reads the radio back at once (Playwright's check()
    // failed with "Clicking the checkbox did not change its state" when it showed the old choice).
    fireEvent.click(radio('Dark'));
    expect(radio('Dark').checked).toBe(true);
    expect(root().dataset.theme).toBe('dark');
    await waitFor(() => expect(backend.preferences.theme).toBe('dark'));
    expect(radio('Dark').checked).toBe(true);
  });

  it('follows the operating system while "system" is chosen', async () => {
    const scheme = stubSystemScheme(true);
    renderApp(createStandardBackend({ preferences: { theme: 'system' } }));
    await waitFor(() => expect(root().dataset.theme).toBe('dark'));
    scheme.set(false);
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
  });

  it('keeps a theme chosen while an earlier save is still on its way', async () => {
    const backend = createStandardBackend({
      preferences: { theme: 'light' },
      saveAnswerDelayMs: (patch) => ('lastPage' in patch ? 300 : 0),
    });
    const { user } = renderApp(backend);
    // The last page is stored, and its answer (still with the light theme) is held back.
    await waitFor(() => expect(backend.preferences.lastPage).toBe('/setup'));
    await user.click(screen.getByRole('radio', { name: 'Dark theme' }));
    await waitFor(() => expect(backend.preferences.theme).toBe('dark'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(root().dataset.theme).toBe('dark');
    expect(backend.preferences).toEqual({ theme: 'dark', lastPage: '/setup' });
  });

  it('goes back and says so when the choice cannot be saved', async () => {
    resetWindow('#/setup');
    const backend = createStandardBackend({
      preferences: { theme: 'light', lastPage: '/setup' },
      saveError: new ApiError('internal', 'The settings file is read-only.'),
    });
    const { user } = renderApp(backend);
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    await user.click(radio('Dark'));
    expect(await screen.findByText(/Could not save your preferences: The settings file is read-only\./)).toBeTruthy();
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    expect(backend.preferences.theme).toBe('light');
  });

  it('shows the choice at once, then rolls the radio and the theme back with a message when the save fails', async () => {
    resetWindow('#/setup');
    const backend = createStandardBackend({
      preferences: { theme: 'light', lastPage: '/setup' },
      saveError: new ApiError('unavailable', 'The settings file is on a disk that went away.'),
    });
    renderApp(backend);
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    fireEvent.click(radio('Dark'));
    expect(radio('Dark').checked).toBe(true);
    expect(root().dataset.theme).toBe('dark');
    expect(await screen.findByText(/Could not save your preferences: The settings file is on a disk that went away\./)).toBeTruthy();
    await waitFor(() => expect(radio('Light').checked).toBe(true));
    expect(radio('Dark').checked).toBe(false);
    expect(root().dataset.theme).toBe('light');
    expect(root().dataset.themeChoice).toBe('light');
  });
});
