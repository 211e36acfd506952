import { useLayoutEffect, useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function subscribeToSystem(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => undefined;
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

function systemTheme(): Theme {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

export function resolveTheme(choice: ThemeChoice, system: Theme): Theme {
  return choice === 'system' ? system : choice;
}

/**
 * Puts the theme on <html data-theme> where the CSS variables switch, following the OS while
 * "system" is chosen. Before paint, so no frame shows the new radio with the old colours.
 */
export function useAppliedTheme(choice: ThemeChoice): Theme {
  const system = useSyncExternalStore(subscribeToSystem, systemTheme, () => 'light' as const);
  const theme = resolveTheme(choice, system);
  useLayoutEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.dataset.themeChoice = choice;
    root.style.colorScheme = theme;
  }, [theme, choice]);
  return theme;
}
