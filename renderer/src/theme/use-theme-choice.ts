import { useState } from 'react';
import type { ThemeChoice } from './theme.js';

/**
 * The theme as the user chose it, shown in the same event as the click. The stored preference
 * lives in the query cache, whose listeners hear of a change on a later tick; a controlled radio
 * that waits for it is put back to the old choice by React at the end of the click, so for a
 * moment the user (and Playwright's check(), "Clicking the checkbox did not change its state")
 * sees the click undone. Here the choice is React state set in the click itself, and it stays the
 * user's until its own save settles: then the stored value, which a failed save has rolled back,
 * takes over again. The caller tells the user why a save failed.
 */
export function useThemeChoice(stored: ThemeChoice, save: (choice: ThemeChoice) => Promise<unknown>): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [pending, setPending] = useState<{ choice: ThemeChoice } | null>(null);
  const choose = (choice: ThemeChoice): void => {
    const mine = { choice };
    setPending(mine);
    // A later choice owns the radio from then on; an earlier save settling must not clear it.
    const settle = (): void => setPending((current) => (current === mine ? null : current));
    save(choice).then(settle, settle);
  };
  return [pending?.choice ?? stored, choose];
}
