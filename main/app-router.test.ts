import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../common/api/router.js';
import { createAppRouter } from './app-router.js';
import { createPlainFileSecretStore } from './settings/secret-store.js';
import { SettingsStore } from './settings/settings-store.js';

let dir: string;
let router: Router;
const ctx = { transport: 'test' } as const;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-router-'));
  router = createAppRouter({
    shell: 'browser',
    version: '9.9.9',
    dataDir: dir,
    settings: new SettingsStore(dir),
    secrets: createPlainFileSecretStore(dir, () => undefined),
    env: {},
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createAppRouter', () => {
  it('serves app info for the shell it was built for', async () => {
    expect(await router.invoke('app:get-info', {}, ctx)).toEqual({ ok: true, value: { name: 'Benchtop', version: '9.9.9', shell: 'browser', platform: process.platform } });
  });

  it('round-trips preferences and deployments through the contract', async () => {
    expect(await router.invoke('settings:set-preferences', { theme: 'light', lastPage: '/cost' }, ctx)).toEqual({ ok: true, value: { theme: 'light', lastPage: '/cost' } });
    expect(await router.invoke('settings:get-preferences', undefined, ctx)).toEqual({ ok: true, value: { theme: 'light', lastPage: '/cost' } });
    const saved = await router.invoke('settings:save-deployment', { name: 'lab', region: 'eu-west-1', platformUrl: 'https://bench.lab.example' }, ctx);
    expect(saved.ok && saved.value).toMatchObject({ name: 'lab', createdAt: expect.any(String) });
    const list = await router.invoke('settings:list-deployments', {}, ctx);
    expect(list.ok && list.value).toMatchObject({ deployments: [{ name: 'lab', region: 'eu-west-1' }] });
    expect(await router.invoke('settings:remove-deployment', { id: 'unknown-account/eu-west-1/lab' }, ctx)).toEqual({ ok: true, value: { removed: true } });
  });

  it('rejects bad inputs naming the field', async () => {
    const badName = await router.invoke('settings:save-deployment', { name: 'my lab', region: 'eu-west-1' }, ctx);
    expect(badName.ok === false && badName.error.issues?.map((i) => i.path)).toEqual(['name']);
    const badTheme = await router.invoke('settings:set-preferences', { theme: 'neon' }, ctx);
    expect(badTheme.ok === false && badTheme.error.message).toContain('theme:');
    const badAccount = await router.invoke('settings:save-deployment', { name: 'lab', region: 'eu-west-1', accountId: '42' }, ctx);
    expect(badAccount.ok === false && badAccount.error.issues?.[0]?.message).toBe('must be a 12-digit AWS account id');
  });

  it('lets the renderer set, check and delete a secret, but never read one', async () => {
    expect(await router.invoke('settings:set-secret', { key: 'platform-token:lab', value: 'tok' }, ctx)).toEqual({ ok: true, value: { key: 'platform-token:lab' } });
    expect(await router.invoke('settings:has-secret', { key: 'platform-token:lab' }, ctx)).toEqual({ ok: true, value: { present: true } });
    expect(router.names().calls.filter((n) => /secret/.test(n))).toEqual(['settings:delete-secret', 'settings:has-secret', 'settings:set-secret']);
    expect(await router.invoke('settings:delete-secret', { key: 'platform-token:lab' }, ctx)).toEqual({ ok: true, value: { deleted: true } });
  });
});
