import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { FINISHED_STATES, type Run } from '../../common/protocol/index.js';
import { EXAMPLE_CAPSULE_NAME } from './example-capsule.js';
import { defaultSandboxDir } from './sandbox-data-dir.js';

const CLI = new URL('../../bin/benchtop.mjs', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'benchtop-sandbox-cli-'));
const started: ChildProcess[] = [];

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGKILL');
    await gone;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** `benchtop sandbox --json` as a user would run it; answers its first stdout line. */
async function startCli(): Promise<{ child: ChildProcess; info: { url: string; adminToken: string; researcherToken: string }; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'sandbox', '--data', dataDir, '--port', '0', '--workers', '1', '--json'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exited.then((code) => reject(new Error(`benchtop sandbox exited with ${code} before printing its address`)));
  });
  return { child, info: JSON.parse(line) as { url: string; adminToken: string; researcherToken: string }, exited };
}

async function waitFinished(get: () => Promise<Run>): Promise<Run> {
  for (let i = 0; i < 600; i += 1) {
    const run = await get();
    if (FINISHED_STATES.includes(run.state)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the run did not finish within 60 s');
}

describe('benchtop sandbox', () => {
  let firstRun: Run;
  let tokens: { adminToken: string; researcherToken: string };

  it('starts with --json, and the example capsule runs to a CSV and a PNG', async () => {
    const { child, info, exited } = await startCli();
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    tokens = info;
    expect((statSync(join(dataDir, 'services', 'admin.token')).mode & 0o077)).toBe(0);
    const client = createPlatformClient({ url: info.url, token: info.researcherToken });
    const capsules = await client.listCapsules();
    expect(capsules.items.map((c) => c.name)).toEqual([EXAMPLE_CAPSULE_NAME]);
    const [queued] = (await client.listRuns()).items;
    firstRun = await waitFinished(() => client.getRun(queued!.id));
    expect(firstRun.state).toBe('succeeded');
    expect(firstRun.results?.files.map((f) => f.path)).toEqual(['walks.csv', 'walks.png']);
    const csv = await (await client.resultFile(firstRun.id, 'walks.csv')).text();
    expect(csv.split('\n')[0]).toBe('step,walk_1,walk_2,walk_3,walk_4');
    expect(csv.trim().split('\n')).toHaveLength(202);
    const png = new Uint8Array(await (await client.resultFile(firstRun.id, 'walks.png')).arrayBuffer());
    expect(Buffer.from(png.slice(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    const logs = await client.logs(firstRun.id);
    expect(logs.items.map((l) => l.text)).toContain('wrote /results/walks.png');

    // The same version again gives byte-identical results.
    const rerun = await client.rerun(firstRun.id);
    const again = await waitFinished(() => client.getRun(rerun.id));
    expect((await client.compare(firstRun.id, again.id)).identical).toBe(true);

    process.kill(child.pid as number, 'SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('keeps capsules, runs and tokens when started again on the same data folder', async () => {
    const { child, info, exited } = await startCli();
    expect(info.adminToken).toBe(tokens.adminToken);
    expect(info.researcherToken).toBe(tokens.researcherToken);
    const client = createPlatformClient({ url: info.url, token: info.researcherToken });
    expect((await client.listCapsules()).items).toHaveLength(1);
    const kept = await client.getRun(firstRun.id);
    expect(kept).toMatchObject({ state: 'succeeded', results: firstRun.results, finishedAt: firstRun.finishedAt });
    expect((await client.listRuns()).items).toHaveLength(2);
    process.kill(child.pid as number, 'SIGINT');
    expect(await exited).toBe(0);
    // Nothing it started is left running.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(dataDir));
    expect(left).toEqual([]);
  }, 120_000);

  it('says why when the services agent cannot start', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [CLI, 'sandbox', '--data', dataDir, '--port', String(port), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      // 'close', not 'exit': the exit may be reported while the pipe still holds the reason.
      expect(await new Promise((resolve) => child.once('close', resolve))).toBe(1);
      expect(stderr).toMatch(/could not start: services agent exited \(code 1\) before it was ready: .*EADDRINUSE/);
    } finally {
      busy.close();
    }
  }, 120_000);

  // A fresh Node process loading the CLI from its sources, as the tests above: 7 s at load 18.
  it('refuses bad options with a clear message', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--workers', 'many'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--workers must be a whole number from 0 to 64, got "many"');
  }, 120_000);
});

describe('defaultSandboxDir', () => {
  it('follows BENCHTOP_HOME, then the platform application-data folder', () => {
    expect(defaultSandboxDir({ BENCHTOP_HOME: '/srv/bt' }, 'linux', '/home/a')).toBe('/srv/bt/sandbox');
    expect(defaultSandboxDir({}, 'linux', '/home/a')).toBe('/home/a/.local/share/benchtop/sandbox');
    expect(defaultSandboxDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/a')).toBe('/x/benchtop/sandbox');
    expect(defaultSandboxDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/benchtop/sandbox');
  });
});
