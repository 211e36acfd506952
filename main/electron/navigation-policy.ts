import { isAppUrl } from './app-origin.js';

/**
 * Sites a link in the app may open in the user's browser: AWS documentation and consoles, the SSO
 * portal, and the project's home. Anything else is refused, so a compromised page cannot use
 * shell.openExternal to launch arbitrary URLs or local handlers.
 * https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 */
export const EXTERNAL_HOSTS: readonly string[] = ['docs.aws.amazon.com', 'console.aws.amazon.com', 'signin.aws.amazon.com', 'awsapps.com', 'github.com'];

export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

export type NavigationDecision = 'stay' | 'open-external' | 'deny';

/**
 * For `will-navigate` and `setWindowOpenHandler`: the app itself may move between its own pages;
 * allow-listed https links go to the user's browser; nothing else loads, ever.
 * https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppUrl(url)) return 'stay';
  if (isAllowedExternalUrl(url)) return 'open-external';
  return 'deny';
}
