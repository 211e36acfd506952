import { useSyncExternalStore } from 'react';

// A hash route ("#/runs") works the same from file:// in Electron and from the loopback host,
// and never asks the server for a path it does not serve.

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The path in the hash ("/runs"), or "" when the hash holds none. */
export function currentPath(): string {
  const hash = window.location.hash;
  if (!hash.startsWith('#/')) return '';
  try {
    return decodeURI(hash.slice(1));
  } catch {
    // A malformed escape typed into the address bar: show it as it is (the page will say it is unknown).
    return hash.slice(1);
  }
}

export function useHashPath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '');
}

export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  if (replace) {
    window.history.replaceState(window.history.state, '', `#${path}`);
    // replaceState fires no event; tell the subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = path;
  }
}
