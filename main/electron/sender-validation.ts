import { isAppUrl } from './app-origin.js';

export interface SenderFrame {
  /** The URL of the frame that sent the message (null when the frame is gone). */
  url: string | undefined;
  /** Whether it is the top frame of its window, not an iframe. */
  isMainFrame: boolean;
}

/**
 * Every IPC message is checked before it reaches the router: it must come from the top frame of a
 * page of our own origin. An iframe, or a page navigated elsewhere, gets nothing.
 * https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isTrustedSender(frame: SenderFrame | undefined): boolean {
  return frame !== undefined && frame.isMainFrame && frame.url !== undefined && isAppUrl(frame.url);
}
