import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api/errors.js';
import { appDataDir } from './app-data-dir.js';
import { SettingsStore } from './settings-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lab = { name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012' };

describe('SettingsStore', () => {
  it('starts with system theme and no deployments', () => {
    const store = new SettingsStore(dir);
    expect(store.getPreferences()).toEqual({ theme: 'system' });
    expect(store.listDeployments()).toEqual([]);
  });

  it('keeps preferences across instances; a patch merges and null clears a field', () => {
    new SettingsStore(dir).setPreferences({ theme: 'dark', defaultRegion: 'eu-west-1', lastPage: '/runs' });
    const again = new SettingsStore(dir);
    expect(again.getPreferences()).toEqual({ theme: 'dark', defaultRegion: 'eu-west-1', lastPage: '/runs' });
    expect(again.setPreferences({ defaultRegion: null, defaultProfile: 'lab-admin' })).toEqual({ theme: 'dark', lastPage: '/runs', defaultProfile: 'lab-admin' });
    expect(statSync(again.file).mode & 0o777).toBe(0o600);
  });

  it('saves, replaces and removes deployments by account, region and name; createdAt is set once', () => {
    let clock = new Date('2026-01-01T00:00:00.000Z');
    const store = new SettingsStore(dir, () => clock);
    const id = '123456789012/eu-west-1/lab-prod';
    expect(store.saveDeployment(lab)).toEqual({ ...lab, id, createdAt: '2026-01-01T00:00:00.000Z' });
    clock = new Date('2026-02-01T00:00:00.000Z');
    store.saveDeployment({ ...lab, lastKnownStatus: 'UPDATE_COMPLETE' });
    store.saveDeployment({ name: 'alpha', region: 'us-east-1' });
    const reread = new SettingsStore(dir);
    expect(reread.listDeployments().map((d) => d.id)).toEqual(['unknown-account/us-east-1/alpha', id]);
    expect(reread.getDeployment(id)).toEqual({ ...lab, id, lastKnownStatus: 'UPDATE_COMPLETE', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(reread.removeDeployment(id)).toBe(true);
    expect(reread.removeDeployment(id)).toBe(false);
    expect(new SettingsStore(dir).listDeployments().map((d) => d.name)).toEqual(['alpha']);
  });

  it('keeps the same stack name in two regions and two accounts apart', () => {
    const store = new SettingsStore(dir);
    store.saveDeployment(lab);
    store.saveDeployment({ ...lab, region: 'us-east-1' });
    store.saveDeployment({ ...lab, accountId: '210987654321', profile: 'other' });
    expect(store.listDeployments().map((d) => d.id)).toEqual(['123456789012/eu-west-1/lab-prod', '210987654321/eu-west-1/lab-prod', '123456789012/us-east-1/lab-prod']);
    store.removeDeployment('210987654321/eu-west-1/lab-prod');
    expect(store.findDeployment({ name: 'lab-prod', region: 'eu-west-1', accountId: '123456789012' })?.profile).toBe('lab-admin');
    expect(store.findDeployment({ name: 'lab-prod', region: 'eu-west-1', accountId: '210987654321' })).toBeUndefined();
  });

  it('migrates an entry saved by name only: it gets its account when the stack is seen again, keeping its fields', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ preferences: { theme: 'light' }, deployments: [{ name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', createdAt: '2025-06-01T00:00:00.000Z', platformUrl: 'https://bench.lab.example' }] }));
    const store = new SettingsStore(dir);
    const old = store.listDeployments()[0]!;
    expect(old.id).toBe('unknown-account/eu-west-1/lab-prod');
    expect(store.findDeployment({ name: 'lab-prod', region: 'eu-west-1', accountId: '123456789012' })?.id).toBe(old.id);
    const migrated = store.saveDeployment({ name: 'lab-prod', region: 'eu-west-1', accountId: '123456789012', lastKnownStatus: 'CREATE_COMPLETE' });
    expect(migrated).toEqual({ id: '123456789012/eu-west-1/lab-prod', name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012', createdAt: '2025-06-01T00:00:00.000Z', platformUrl: 'https://bench.lab.example', lastKnownStatus: 'CREATE_COMPLETE' });
    expect(store.listDeployments()).toHaveLength(1);
  });

  it('never writes what it would refuse to read back', () => {
    const store = new SettingsStore(dir);
    store.saveDeployment(lab);
    const before = readFileSync(store.file, 'utf8');
    expect(() => store.saveDeployment({ name: 'bad', region: 'nowhere' })).toThrow(/region/);
    expect(readFileSync(store.file, 'utf8')).toBe(before);
  });

  it('refuses a damaged file with a clear error, keeps a copy, and never overwrites it', () => {
    const store = new SettingsStore(dir);
    store.saveDeployment(lab);
    const damaged = readFileSync(store.file, 'utf8').replace('"eu-west-1"', '"Ireland"');
    writeFileSync(store.file, damaged);

    const fresh = new SettingsStore(dir);
    let error: unknown;
    try {
      fresh.listDeployments();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toContain(`The settings file ${store.file} is damaged: deployments.0.region:`);
    expect((error as ApiError).message).toMatch(/A copy was kept at .*settings\.damaged-[0-9a-f]{12}\.json/);
    expect((error as ApiError).fix).toContain('delete it to start with empty settings');

    expect(() => fresh.setPreferences({ theme: 'light' })).toThrow(ApiError);
    expect(() => store.saveDeployment({ name: 'other', region: 'us-east-1' })).toThrow(ApiError);
    expect(readFileSync(store.file, 'utf8')).toBe(damaged);
    const copies = readdirSync(dir).filter((f) => f.startsWith('settings.damaged-'));
    expect(copies).toHaveLength(1);
    expect(readFileSync(path.join(dir, copies[0]!), 'utf8')).toBe(damaged);
  });

  it('reports a file that is not JSON at all', () => {
    writeFileSync(path.join(dir, 'settings.json'), '{"preferences": {');
    expect(() => new SettingsStore(dir).getPreferences()).toThrow(/is damaged: it is not valid JSON/);
  });

  it('keeps top-level keys it does not know (written by a newer version)', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ preferences: { theme: 'light' }, deployments: [], futureThing: { a: 1 } }));
    const store = new SettingsStore(dir);
    store.setPreferences({ theme: 'dark' });
    expect(JSON.parse(readFileSync(store.file, 'utf8')).futureThing).toEqual({ a: 1 });
  });
});

describe('appDataDir', () => {
  it('honours BENCHTOP_HOME, else uses the per-user config folder named benchtop', () => {
    expect(appDataDir({ BENCHTOP_HOME: '/tmp/x' })).toBe('/tmp/x');
    expect(path.basename(appDataDir({}))).toBe('benchtop');
  });
});
