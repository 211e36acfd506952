import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type RunningServices } from '../../../agents/services/start-services.js';
import type { PlatformInfo, PlatformStatus } from '../../../common/api/platforms.contract.js';
import { Router } from '../../../common/api/router.js';
import type { IssuedInvite } from '../../../common/api/users.contract.js';
import type { User } from '../../../common/protocol/users.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { registerResearcher } from './register-researcher.js';
import { tokenKey } from './platform-registry.js';

// The admin's app (running the sandbox, so holding its admin token) invites a researcher; the
// researcher's app, with no platform of its own, opens the invite and is connected as them.

function memorySecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, protection: 'plain-file', set: (k, v) => void values.set(k, v), get: (k) => values.get(k), has: (k) => values.has(k), delete: (k) => values.delete(k) };
}

const dirs: string[] = [];
let services: RunningServices;

function app(local?: { url: string; token: string; adminToken?: string }) {
  const router = new Router();
  const secrets = memorySecrets();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-invite-app-'));
  dirs.push(dataDir);
  registerResearcher(router, { dataDir, secrets, ...(local ? { localPlatform: Promise.resolve(local) } : {}) });
  const invoke = async <T,>(name: string, input?: unknown): Promise<T> => {
    const result = await router.invoke(name, input, { transport: 'test' });
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value as T;
  };
  const failure = async (name: string, input?: unknown) => {
    const result = await router.invoke(name, input, { transport: 'test' });
    if (result.ok) throw new Error(`${name} succeeded`);
    return result.error;
  };
  return { invoke, failure, secrets };
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-invite-services-'));
  dirs.push(dataDir);
  services = await startServices({ dataDir, port: 0, host: '127.0.0.1', logger: false, backup: false });
});

afterAll(async () => {
  await services?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('invite round trip: an admin invites, the researcher connects without copying a token', () => {
  it('connects by link and by file, shows who they are, and stops working once revoked', async () => {
    const admin = app({ url: services.url, token: services.researcherToken, adminToken: services.adminToken });
    await new Promise((r) => setImmediate(r));
    const invite = await admin.invoke<IssuedInvite>('users:invite', { name: 'Grace Hopper', role: 'researcher' });
    expect(invite.link.startsWith('benchtop://connect?')).toBe(true);
    expect(invite.file.name).toBe('benchtop-invite-grace-hopper.json');
    expect(JSON.parse(invite.file.content)).toMatchObject({ benchtop: 'invite', url: services.url, token: invite.token, user: 'Grace Hopper' });

    const grace = app();
    const platform = await grace.invoke<PlatformInfo>('invites:open', { text: invite.link });
    expect(platform).toMatchObject({ url: services.url, hasToken: true, active: true });
    expect(grace.secrets.get(tokenKey(platform.id))).toBe(invite.token);
    const status = await grace.invoke<PlatformStatus>('platforms:status');
    expect(status).toMatchObject({ state: 'connected', user: { name: 'Grace Hopper', role: 'researcher' } });

    const byFile = app();
    await byFile.invoke('invites:open', { text: invite.file.content });
    expect((await byFile.invoke<PlatformStatus>('platforms:status')).user?.name).toBe('Grace Hopper');

    await services.services.writes.run(() => undefined);
    const users = await admin.invoke<{ items: User[] }>('users:list');
    const listed = users.items.find((u) => u.id === invite.user.id)!;
    expect(listed.lastSeenAt).not.toBeNull();

    expect((await admin.invoke<User>('users:set-role', { userId: invite.user.id, role: 'pi' })).role).toBe('pi');
    expect((await grace.invoke<PlatformStatus>('platforms:status')).user?.role).toBe('pi');
    const trail = await admin.invoke<{ items: Array<{ action: string }> }>('audit:list', { targetId: invite.user.id });
    expect(trail.items.map((e) => e.action)).toEqual(['user.role', 'token.create', 'user.create']);

    await admin.invoke('users:revoke-all', { userId: invite.user.id });
    expect((await grace.invoke<PlatformStatus>('platforms:status')).state).toBe('unauthorized');
  });

  it('refuses what is not an invite, and a researcher cannot manage users', async () => {
    const someone = app();
    expect(await someone.failure('invites:open', { text: 'hello' })).toMatchObject({ code: 'bad-input', message: expect.stringContaining('benchtop://connect?') });
    expect(await someone.failure('invites:open', { text: 'benchtop://connect?url=ftp%3A%2F%2Fx&token=abcdefgh&platform=p&user=u' })).toMatchObject({ code: 'bad-input', message: expect.stringContaining('url') });
    const researcher = app({ url: services.url, token: services.researcherToken });
    await new Promise((r) => setImmediate(r));
    expect(await researcher.failure('users:list')).toMatchObject({ code: 'forbidden' });
    expect((await researcher.invoke<{ items: unknown[] }>('users:list-people')).items.length).toBeGreaterThan(0);
  });
});
