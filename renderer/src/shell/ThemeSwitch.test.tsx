import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../main/api/errors.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const root = () => document.documentElement;

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

  it('switches at once and saves the choice', async () => {
    const backend = createStandardBackend({ preferences: { theme: 'light' } });
    const { user } = renderApp(backend);
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    await user.click(screen.getByRole('radio', { name: 'Dark theme' }));
    expect(root().dataset.theme).toBe('dark');
    await waitFor(() => expect(backend.preferences.theme).toBe('dark'));
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
    await user.click(screen.getByRole('radio', { name: 'Dark theme' }));
    expect(await screen.findByText(/Could not save your preferences: The settings file is read-only\./)).toBeTruthy();
    await waitFor(() => expect(root().dataset.theme).toBe('light'));
    expect(backend.preferences.theme).toBe('light');
  });
});
