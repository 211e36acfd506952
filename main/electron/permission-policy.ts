import { isAppUrl } from './app-origin.js';

/** The only permission the app's pages get: notifications (a run finished, an alarm went off). */
const ALLOWED = new Set(['notifications']);

/**
 * Whether a page may use a permission: only the app's own origin (app://benchtop, never a page
 * that navigated elsewhere or a subframe of another origin), and only the permissions it needs.
 * Electron's checklist item 5: https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function allowPermission(permission: string, requestingUrl: string | undefined, embeddingOrigin?: string): boolean {
  if (!ALLOWED.has(permission)) return false;
  if (!requestingUrl || !isAppUrl(requestingUrl)) return false;
  return embeddingOrigin === undefined || isAppUrl(embeddingOrigin);
}
