import { useSyncExternalStore } from 'react';

// The invite link the operating system opened the app with, until the join form takes it.
let opened: string | null = null;
const listeners = new Set<() => void>();

export function offerOpenedInvite(link: string): void {
  opened = link;
  for (const l of listeners) l();
}

export function takeOpenedInvite(): void {
  opened = null;
  for (const l of listeners) l();
}

export function useOpenedInvite(): string | null {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => opened,
  );
}
