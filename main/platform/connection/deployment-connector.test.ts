import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServices, type RunningServices } from '../../../agents/services/start-services.js';
import { createPlatformClient } from '../../../lib/protocol/client.js';
import type { DeploymentPlatformHooks } from '../../deploy/register-deploy.js';
import type { DeploymentPlatformStatus, PlatformStatus } from '../../../common/api/platforms.contract.js';
import { Router } from '../../../common/api/router.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { SettingsStore } from '../../settings/settings-store.js';
import { LOCAL_ID, PlatformRegistry, tokenKey } from './platform-registry.js';
import { PlatformsFile } from './platforms-file.js';
import { DeploymentConnector } from './deployment-connector.js';
import { registerDeploymentPlatforms } from './register-deployment-platforms.js';
import { registerResearcher } from './register-researcher.js';

// The app connecting to a deployment by itself: the stack's Url output and the admin token the
// services agent keeps in SSM (both mocked AWS), against a real services agent on loopback.

const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const ACCOUNT = '123456789012';
const ID = `${ACCOUNT}/eu-west-1/lab-prod`;

function memorySecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, protection: 'plain-file', set: (k, v) => void values.set(k, v), get: (k) => values.get(k), has: (k) => values.has(k), delete: (k) => values.delete(k) };
}

const installed = (url: string, status = 'CREATE_COMPLETE'): Stack => ({
  StackName: 'lab-prod',
  StackStatus: status as Stack['StackStatus'],
  CreationTime: new Date(0),
  Outputs: [
    { OutputKey: 'Url', OutputValue: url },
    { OutputKey: 'TokenParameterPrefix', OutputValue: '/benchtop/lab-prod/' },
  ],
});

let services: RunningServices;
const dirs: string[] = [];
let router: Router;
let secrets: ReturnType<typeof memorySecrets>;
let settings: SettingsStore;
let hooks: DeploymentPlatformHooks;

async function call<T>(name: string, input?: unknown): Promise<T> {
  const result = await router.invoke(name, input, { transport: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as T;
}

let clock = new Date('2026-12-01T12:00:00.000Z');

function app(local?: { url: string; token: string }, reconnect = false): Router {
  const appDir = mkdtempSync(path.join(tmpdir(), 'bt-connect-app-'));
  dirs.push(appDir);
  settings = new SettingsStore(appDir);
  settings.saveDeployment({ name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: ACCOUNT, lastKnownStatus: 'CREATE_COMPLETE' });
  secrets = memorySecrets();
  const r = new Router();
  const platforms = registerResearcher(r, { dataDir: appDir, secrets, ...(local ? { localPlatform: local } : {}) });
  hooks = registerDeploymentPlatforms(r, { platforms, settings, reconnect, now: () => clock });
  return r;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-connect-services-'));
  dirs.push(dataDir);
  services = await startServices({ dataDir, port: 0, host: '127.0.0.1', logger: false });
});
afterAll(async () => {
  await services?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  cfn.reset();
  ssm.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
});

describe('connecting a deployment by itself', () => {
  it('reads the URL and the SecureString admin token, keeps the token as a secret, and makes the platform active', async () => {
    router = app({ url: 'http://127.0.0.1:1', token: 'local-token' });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand, { Name: '/benchtop/lab-prod/admin-token', WithDecryption: true }).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'SecureString', Value: services.adminToken } });
    const result = await call<DeploymentPlatformStatus>('platforms:connect-deployment', { deploymentId: ID });
    expect(result.connection).toMatchObject({ state: 'connected', platformId: 'lab-prod-eu-west-1' });
    expect(result.platform).toMatchObject({ state: 'connected', version: expect.any(String), user: { role: 'admin' }, platform: { deploymentId: ID, active: true, url: services.url } });
    expect([...secrets.values.values()]).toEqual([services.adminToken]);
    // The researcher pages now talk to it.
    expect(await call<PlatformStatus>('platforms:status')).toMatchObject({ state: 'connected', platform: { id: 'lab-prod-eu-west-1' } });
    expect(settings.getDeployment(ID)?.platformUrl).toBe(services.url);
    // Read again (a new app start): the same platform entry, no second one.
    await call('platforms:connect-deployment', { deploymentId: ID });
    expect((await call<{ platforms: { id: string }[] }>('platforms:list')).platforms.map((p) => p.id)).toEqual(['local', 'lab-prod-eu-west-1']);
    // For the version check: what the services agent and the workers online say they run.
    await createPlatformClient({ url: services.url, token: services.workerToken }).lease({ queue: 'cpu', workerId: 'old-worker', agentVersion: '0.0.1' });
    const versions = await hooks.agentVersions(settings.getDeployment(ID)!);
    expect(versions).toEqual({ services: result.platform?.version, workers: [{ version: '0.0.1', count: 1 }] });
    // The stack is gone: its platform and token go with it.
    hooks.forget(ID);
    expect((await call<{ platforms: { id: string }[] }>('platforms:list')).platforms.map((p) => p.id)).toEqual(['local']);
    expect(secrets.values.size).toBe(0);
  });

  it('waits while the services agent has not replaced the placeholder, and says so', async () => {
    router = app();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'String', Value: 'pending' } });
    const result = await call<DeploymentPlatformStatus>('platforms:connect-deployment', { deploymentId: ID });
    expect(result).toMatchObject({ platform: null, connection: { state: 'waiting', message: expect.stringContaining('has not stored its admin token yet'), fix: 'Connect again in a minute or two.' } });
    expect(secrets.values.size).toBe(0);
    // The agent stores its token; the page keeps asking, and a while later the app reads it again by itself.
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'SecureString', Value: services.adminToken } });
    expect((await call<DeploymentPlatformStatus>('platforms:deployment-status', { deploymentId: ID })).connection.state).toBe('waiting');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    clock = new Date(clock.getTime() + 20_000);
    let status = await call<DeploymentPlatformStatus>('platforms:deployment-status', { deploymentId: ID });
    for (let i = 0; i < 500 && status.connection.state !== 'connected'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await call<DeploymentPlatformStatus>('platforms:deployment-status', { deploymentId: ID });
    }
    expect(status).toMatchObject({ connection: { state: 'connected' }, platform: { state: 'connected' } });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('names the profile to use when the identity may not read the token, and waits for a stack still installing', async () => {
    router = app();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' }));
    expect((await call<DeploymentPlatformStatus>('platforms:connect-deployment', { deploymentId: ID })).connection).toMatchObject({ state: 'failed', fix: expect.stringContaining('profile of the admin who installed the stack') });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url, 'CREATE_IN_PROGRESS')] });
    expect((await call<DeploymentPlatformStatus>('platforms:connect-deployment', { deploymentId: ID })).connection).toMatchObject({ state: 'waiting', message: 'lab-prod is CREATE_IN_PROGRESS: the platform is connected once the stack is installed.' });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('on app start, reads every known deployment again; a platform the user chose is kept active', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'SecureString', Value: services.adminToken } });
    router = app({ url: 'http://127.0.0.1:1', token: 'local-token' }, true);
    let list: { platforms: { id: string; deploymentId?: string }[]; activeId: string | null } = { platforms: [], activeId: null };
    for (let i = 0; i < 500 && list.platforms.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      list = await call('platforms:list');
    }
    expect(list.platforms.find((p) => p.deploymentId === ID)).toBeTruthy();
    // New, and the user used only the local sandbox: it becomes the active platform.
    expect(list.activeId).toBe('lab-prod-eu-west-1');
  });

  it('on app start, gives an entry saved by name only its account, then connects it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'SecureString', Value: services.adminToken } });
    router = app(undefined, false);
    settings.removeDeployment(ID);
    settings.saveDeployment({ name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', createdAt: '2025-06-01T00:00:00.000Z' });
    expect(settings.listDeployments().map((d) => d.id)).toEqual(['unknown-account/eu-west-1/lab-prod']);
    const platforms = registerResearcher(new Router(), { dataDir: path.dirname(settings.file), secrets });
    const again = new Router();
    registerDeploymentPlatforms(again, { platforms, settings, reconnect: true });
    for (let i = 0; i < 500 && !platforms.ofDeployment(ID); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settings.listDeployments()).toMatchObject([{ id: ID, accountId: ACCOUNT, createdAt: '2025-06-01T00:00:00.000Z' }]);
    expect(platforms.ofDeployment(ID)?.url).toBe(services.url);
  });

  it('on a later start, keeps the platform the user chose active and only refreshes the token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-connect-registry-'));
    dirs.push(dir);
    const keep = memorySecrets();
    const registry = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms.json')), secrets: keep, local: { url: 'http://127.0.0.1:1', token: 'local-token' } });
    const first = registry.connectDeployment({ deploymentId: ID, name: 'lab-prod (eu-west-1)', url: services.url, token: 'token-1', activate: 'if-new' });
    expect(registry.activeId()).toBe(first.id);
    registry.setActive(LOCAL_ID);
    registry.connectDeployment({ deploymentId: ID, name: 'lab-prod (eu-west-1)', url: `${services.url}/`, token: 'token-2', activate: 'if-new' });
    expect(registry.activeId()).toBe(LOCAL_ID);
    expect(keep.get(tokenKey(first.id))).toBe('token-2');
    // A platform added by hand and in use is not replaced by a new deployment's either.
    const mine = await registry.add({ name: 'Our lab', url: services.url, token: services.researcherToken, activate: true });
    registry.connectDeployment({ deploymentId: `${ACCOUNT}/us-east-1/lab-dev`, name: 'lab-dev (us-east-1)', url: services.url, token: 'token-3', activate: 'if-new' });
    expect(registry.activeId()).toBe(mine.id);
    expect(registry.list().map((p) => p.id)).toEqual([LOCAL_ID, first.id, mine.id, 'lab-dev-us-east-1']);
  });

  it('makes the platform active after an install even while a background read of it is under way', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [installed(services.url)] });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/benchtop/lab-prod/admin-token', Type: 'SecureString', Value: services.adminToken } });
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-connect-modes-'));
    dirs.push(dir);
    const registry = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms.json')), secrets: memorySecrets(), local: { url: 'http://127.0.0.1:1', token: 'local-token' } });
    const mine = await registry.add({ name: 'Our lab', url: services.url, token: services.researcherToken, activate: true });
    const store = new SettingsStore(dir);
    const d = store.saveDeployment({ name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: ACCOUNT, lastKnownStatus: 'CREATE_COMPLETE' });
    const connector = new DeploymentConnector({ platforms: registry, settings: store });
    // A background read ("if-new": the user's own platform stays active) is under way when the install asks for "always".
    const background = connector.connect(d, 'if-new');
    const afterInstall = connector.connect(d, 'always');
    expect((await background).state).toBe('connected');
    expect((await afterInstall).state).toBe('connected');
    expect(registry.activeId()).toBe(registry.ofDeployment(ID)?.id);
    expect(registry.activeId()).not.toBe(mine.id);
  });

  it('refuses an unknown deployment with a not-found naming it', async () => {
    router = app();
    const result = await router.invoke('platforms:deployment-status', { deploymentId: `${ACCOUNT}/eu-west-1/nope` }, { transport: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found', message: `There is no saved deployment ${ACCOUNT}/eu-west-1/nope.` } });
    expect(await router.invoke('platforms:deployment-status', { deploymentId: '../x' }, { transport: 'test' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });
});
