import { render, type RenderResult } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { createQueryClient } from '../api/ApiProvider.js';
import { App } from '../App.js';
import type { FakeBackend } from './fake-backend.js';

/** Starts every test from a blank address and theme, as a fresh window would be. */
export function resetWindow(hash = ''): void {
  window.history.replaceState(null, '', `/${hash}`);
  delete document.documentElement.dataset.theme;
  delete document.documentElement.dataset.themeChoice;
}

export function renderApp(backend: FakeBackend): RenderResult & { user: UserEvent } {
  const user = userEvent.setup();
  return { user, ...render(<App client={backend.client} queryClient={createQueryClient()} />) };
}
