import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, APP_START_URL } from './app-origin.js';
import { allowPermission } from './permission-policy.js';

describe('the permission policy', () => {
  it('lets the app\'s own pages show notifications', () => {
    expect(allowPermission('notifications', APP_START_URL)).toBe(true);
    expect(allowPermission('notifications', `${APP_ORIGIN}/#/alarms`)).toBe(true);
    expect(allowPermission('notifications', APP_ORIGIN)).toBe(true);
  });

  it('refuses notifications to any other origin, and to an app frame inside another origin', () => {
    expect(allowPermission('notifications', 'https://evil.example/')).toBe(false);
    expect(allowPermission('notifications', 'app://other/')).toBe(false);
    expect(allowPermission('notifications', 'http://127.0.0.1:5173/')).toBe(false);
    expect(allowPermission('notifications', undefined)).toBe(false);
    expect(allowPermission('notifications', APP_START_URL, 'https://evil.example')).toBe(false);
  });

  it('refuses every other permission, even to the app', () => {
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) expect(allowPermission(p, APP_START_URL)).toBe(false);
  });
});
