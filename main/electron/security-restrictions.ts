import { type App, type Session, shell } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../common/content-security-policy.js';
import { decideNavigation } from './navigation-policy.js';
import { allowPermission } from './permission-policy.js';

/**
 * Applied to every web contents the app ever creates, not only the main window, as Podman
 * Desktop's security-restrictions.ts does. Items of https://www.electronjs.org/docs/latest/tutorial/security
 */
export function applySecurityRestrictions(app: App): void {
  app.on('web-contents-created', (_event, contents) => {
    // 13. Navigation: only our own pages load in the window; allow-listed links go to the browser.
    contents.on('will-navigate', (event, url) => {
      if (decideNavigation(url) === 'stay') return;
      event.preventDefault();
      if (decideNavigation(url) === 'open-external') void shell.openExternal(url);
    });
    contents.on('will-redirect', (event, url) => {
      if (decideNavigation(url) !== 'stay') event.preventDefault();
    });
    // 14. New windows: never created; allow-listed https links open in the user's browser.
    contents.setWindowOpenHandler(({ url }) => {
      if (decideNavigation(url) === 'open-external') void shell.openExternal(url);
      return { action: 'deny' };
    });
    // 12. <webview> is disabled in webPreferences; refuse an attach attempt anyway.
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/**
 * 5. Permission requests are denied (camera, geolocation, …) except notifications for the app's
 * own origin: without them no run or alarm notification could ever appear (permission-policy.ts).
 * 7. CSP on every response.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(allowPermission(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_contents, permission, origin, details) => allowPermission(permission, details.requestingUrl ?? origin, details.embeddingOrigin));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
