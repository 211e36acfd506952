import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformStatus } from '../../common/api/platforms.contract.js';
import { Router } from '../../common/api/router.js';
import type { SecretStore } from '../settings/secret-store.js';
import { registerResearcher } from './connection/register-researcher.js';
import { startLocalSandbox, type LocalSandbox } from './local-sandbox.js';

function memorySecrets(): SecretStore {
  const values = new Map<string, string>();
  return { protection: 'plain-file', set: (k, v) => void values.set(k, v), get: (k) => values.get(k), has: (k) => values.has(k), delete: (k) => values.delete(k) };
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('local sandbox supervision', () => {
  let dataDir: string;
  let sandbox: LocalSandbox;
  let router: Router;
  const status = async () => {
    const result = await router.invoke('platforms:status', undefined, { transport: 'test' });
    if (!result.ok) throw new Error(result.error.message);
    return result.value as PlatformStatus;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'benchtop-supervise-'));
    sandbox = await startLocalSandbox({ dataDir, workers: 1, example: false });
    router = new Router();
    registerResearcher(router, { dataDir: join(dataDir, 'app'), secrets: memorySecrets(), localPlatform: Promise.resolve({ url: sandbox.url, token: sandbox.researcherToken, status: () => sandbox.status() }) });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('starts the services agent again after kill -9, on the same address, and the app shows the restart', { timeout: 90_000 }, async () => {
    const before = await status();
    expect(before).toMatchObject({ state: 'connected', sandbox: { services: { name: 'services', state: 'running', restarts: 0, lastExit: null } } });
    expect(before.sandbox?.workers).toEqual([{ name: 'sandbox-w1', state: 'running', restarts: 0, lastExit: null }]);

    const first = sandbox.pids().services;
    process.kill(first, 'SIGKILL');
    await until('the services agent to be running again', () => {
      const s = sandbox.status().services;
      return s.state === 'running' && s.restarts === 1;
    });
    expect(sandbox.pids().services).not.toBe(first);
    const health = await fetch(`${sandbox.url}/api/v1/health`);
    expect(health.status).toBe(200);

    const after = await status();
    expect(after.state).toBe('connected');
    expect(after.sandbox?.services).toMatchObject({ state: 'running', restarts: 1, lastExit: { how: 'killed by SIGKILL' } });
    // The supervisor's line is appended without waiting, so it may reach the file after the restart is seen.
    await until('the restart in the sandbox log', () => /the services agent killed by SIGKILL; starting it again in 500 ms/.test(readFileSync(join(dataDir, 'logs', 'sandbox.log'), 'utf8')));
    // The worker keeps its URL and finds the platform again.
    await until('the worker to poll the restarted agent', async () => (await status()).queues?.cpu.workersOnline === 1);
    // At info level the services log has the requests to follow (the worker's lease polls), not the
    // polled health check above, and never the announcement's tokens.
    const servicesLogFile = join(dataDir, 'logs', 'services.log');
    // The agent's lines reach the file through main's pipe, a moment after the request.
    await until('a lease poll in the services log', async () => /"level":30,.*"url":"\/api\/v1\/leases"/.test(readFileSync(servicesLogFile, 'utf8')));
    const servicesLog = readFileSync(servicesLogFile, 'utf8');
    expect(servicesLog).not.toMatch(/"url":"\/api\/v1\/health"/);
    expect(servicesLog).not.toContain(sandbox.researcherToken);
  });
});
