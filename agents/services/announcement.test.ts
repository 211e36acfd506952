import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../main/deploy/testing/fake-aws/server.js';

// On AWS the unit appends the agent's stdout and stderr to a file the CloudWatch agent ships, at
// every start: nothing it prints there may carry a token. The local sandbox still reads them from
// the first line.

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ROLES = ['admin', 'worker', 'researcher'] as const;
let dir: string;
let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the agent, calls it once with the admin token (request logging on), stops it; returns all it printed. */
async function runAgent(args: string[], env: Record<string, string>): Promise<{ first: Record<string, unknown>; output: string; tokens: Record<(typeof ROLES)[number], string> }> {
  dir = await mkdtemp(join(tmpdir(), 'benchtop-announce-'));
  const data = join(dir, 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--data', data, '--port', '0', '--log-level', 'info', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  // 'close', not 'exit': the process can be gone while its pipes still hold its last lines, and
  // those are the ones checked for tokens too.
  const exited = new Promise((done) => child.once('close', done));
  // With request logging on, the server's own log lines share stdout: the announcement is the one that is not a log record.
  const first = await new Promise<Record<string, unknown> & { url: string }>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no announcement within 60 s: ${output}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      let parsed: Record<string, unknown> & { url: string };
      try {
        parsed = JSON.parse(l) as typeof parsed;
      } catch {
        return;
      }
      if (!('url' in parsed) || 'level' in parsed) return;
      clearTimeout(timer);
      done(parsed);
    });
    void exited.then(() => fail(new Error(`the agent exited before announcing itself: ${output}`)));
  });
  const tokens = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, (await readFile(join(data, `${r}.token`), 'utf8')).trim()]))) as Record<(typeof ROLES)[number], string>;
  const me = await fetch(`${first.url}/api/v1/users`, { headers: { authorization: `Bearer ${tokens.admin}` } });
  expect(me.status).toBeLessThan(500);
  child.kill('SIGTERM');
  await exited;
  return { first, output, tokens };
}

describe('the services agent announcement', () => {
  it('on AWS names where the tokens are and prints none of them, on stdout or stderr', { timeout: 90_000 }, async () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', BENCHTOP_SSM_PREFIX: '/benchtop/lab/', BENCHTOP_SSM_KEY_ID: '1234abcd-12ab-34cd-56ef-1234567890ab' };
    const { first, output, tokens } = await runAgent([], env);
    for (const role of ROLES) expect(output).not.toContain(tokens[role]);
    expect(first).not.toHaveProperty('adminToken');
    expect(first).toMatchObject({ tokenParameters: '/benchtop/lab/', tokenFiles: { admin: expect.stringMatching(/admin\.token$/) } });
    // The tokens did exist and went where the line says.
    expect(fake.instance.parameters.get('/benchtop/lab/admin-token')?.value).toBe(tokens.admin);
    expect(fake.instance.parameters.get('/benchtop/lab/worker-token')?.value).toBe(tokens.worker);
  });

  it('prints none with --hide-tokens either (the flag the unit passes)', { timeout: 90_000 }, async () => {
    const { first, output, tokens } = await runAgent(['--hide-tokens'], {});
    for (const role of ROLES) expect(output).not.toContain(tokens[role]);
    expect(first).not.toHaveProperty('tokenParameters');
  });

  it('carries them for the local sandbox, which reads them from this line', { timeout: 90_000 }, async () => {
    const { first, tokens } = await runAgent([], {});
    expect(first).toMatchObject({ adminToken: tokens.admin, workerToken: tokens.worker, researcherToken: tokens.researcher });
  });
});
