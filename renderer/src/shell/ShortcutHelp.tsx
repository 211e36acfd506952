import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Icon } from '../components/Icon.js';
import { PAGES } from './routes.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal list of the shortcuts. Focus moves into it, stays in it while open (Tab wraps), and
 * returns to where it was on close; Escape closes it.
 */
export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.querySelector<HTMLElement>('button')?.focus();
    return () => returnTo?.focus();
  }, [open]);
  if (!open) return null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || !dialog.current) return;
    const items = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div ref={dialog} className="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcut-help-title" onKeyDown={onKeyDown}>
        <div className="dialog__header">
          <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close keyboard shortcuts">
            <Icon name="close" />
          </button>
        </div>
        <div className="dialog__body">
          <table className="shortcuts">
            <caption className="sr-only">Pages</caption>
            <thead>
              <tr>
                <th scope="col">Page</th>
                <th scope="col">Keys</th>
              </tr>
            </thead>
            <tbody>
              {PAGES.map((page, index) => (
                <tr key={page.id}>
                  <th scope="row">{page.label}</th>
                  <td>
                    <kbd>Alt</kbd>+<kbd>{index + 1}</kbd> or <kbd>g</kbd> then <kbd>{page.letter}</kbd>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="shortcuts__general">
            <li>
              <kbd>?</kbd> show this list
            </li>
            <li>
              <kbd>Esc</kbd> close it
            </li>
            <li>
              <kbd>Tab</kbd> / <kbd>Shift</kbd>+<kbd>Tab</kbd> move between controls
            </li>
          </ul>
        </div>
      </div>
    </div>
  );
}
