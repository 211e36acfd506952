import { useEffect, useRef } from 'react';
import type { PageRoute } from './routes.js';

/** How long after `g` the page letter is still taken as part of the chord. */
const CHORD_MS = 1500;

export interface ShortcutHandlers {
  pages: readonly PageRoute[];
  onNavigate: (path: string) => void;
  onHelp: () => void;
  enabled: boolean;
}

/** Where typed letters belong to a control rather than to shortcuts. */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return false;
}

/**
 * Alt+1..9 opens the page at that position; `g` then a letter opens a page by name (as in GitHub
 * and Gmail); `?` opens the list of shortcuts. `event.code` is used for digits because Alt+digit
 * types a symbol on macOS keyboard layouts.
 */
export function useShortcuts({ pages, onNavigate, onHelp, enabled }: ShortcutHandlers): void {
  const latest = useRef({ pages, onNavigate, onHelp });
  latest.current = { pages, onNavigate, onHelp };
  useEffect(() => {
    if (!enabled) return undefined;
    let chordStarted = 0;
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing || isTypingTarget(event.target)) return;
      const { pages: list, onNavigate: go, onHelp: help } = latest.current;
      const digit = /^Digit([1-9])$/.exec(event.code);
      if (event.altKey && !event.ctrlKey && !event.metaKey && digit) {
        const page = list[Number(digit[1]) - 1];
        if (page) {
          event.preventDefault();
          go(page.path);
        }
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === '?') {
        event.preventDefault();
        help();
        return;
      }
      const inChord = chordStarted > 0 && performance.now() - chordStarted <= CHORD_MS;
      chordStarted = 0;
      if (inChord) {
        const page = list.find((p) => p.letter === event.key.toLowerCase());
        if (page) {
          event.preventDefault();
          go(page.path);
        }
        return;
      }
      if (event.key === 'g') chordStarted = performance.now() || 1;
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}
