import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { FAST_WORKER, processesWith, SHORT_LEASES, shellCapsule, startWorkerProcess, waitFor, waitForState, type WorkerProcess } from './fault-test-support.js';
import { recordProcessGroup } from './run-process-groups.js';
import { probeBubblewrap } from './runtimes/bubblewrap.js';

// What a run can reach of the machine, through a real worker process whose HOME is a fake home
// with a canary, against a sandbox whose app-data folder holds another. Both live under /var/tmp,
// not /tmp: every sandboxed run has a private /tmp anyway, which would prove nothing.
const bwrap = probeBubblewrap();
const HOME_CANARY = 'aws_secret_access_key = HOME-CANARY';
const APP_CANARY = 'APP-DATA-CANARY';

let appData: string;
let home: string;
let sandbox: LocalSandbox;
let client: PlatformClient;
const workers: WorkerProcess[] = [];

function worker(name: string, queue: 'cpu' | 'gpu', extra: readonly string[] = []): WorkerProcess {
  const dataDir = join(appData, 'sandbox');
  const args = [
    '--url', sandbox.url, '--token-file', join(dataDir, 'services', 'worker.token'), '--queue', queue, '--work', join(dataDir, 'workers', name),
    '--worker-id', name, '--hide', dataDir, '--hide', appData, ...FAST_WORKER, ...extra,
  ];
  const started = startWorkerProcess(args, { ...process.env, HOME: home });
  workers.push(started);
  return started;
}

beforeAll(async () => {
  appData = mkdtempSync('/var/tmp/benchtop-appdata-');
  home = mkdtempSync('/var/tmp/benchtop-home-');
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'credentials'), `[default]\n${HOME_CANARY}\n`);
  writeFileSync(join(appData, 'secrets.json'), `{"token":"${APP_CANARY}"}\n`);
  sandbox = await startLocalSandbox({ dataDir: join(appData, 'sandbox'), workers: 0, example: false, servicesArgs: SHORT_LEASES });
  client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
}, 120_000);
afterAll(async () => {
  for (const w of workers) w.kill();
  await Promise.all(workers.map((w) => w.exited));
  await sandbox?.stop();
  rmSync(appData, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}, 60_000);

/** Runs `script` on the given queue and answers the finished run and what it printed. */
async function runScript(name: string, script: string, options: { network?: boolean; queue?: 'cpu' | 'gpu' } = {}) {
  const capsule = await shellCapsule(client, name, script);
  const run = await client.createRun({ capsuleId: capsule.id, queue: options.queue ?? 'cpu', ...(options.network === undefined ? {} : { network: options.network }) });
  const done = await waitForState(client, run.id);
  const output = (await client.logs(done.id)).items.filter((l) => l.stream === 'stdout').map((l) => l.text).join('\n');
  return { done, output };
}

const READ_SECRETS = (paths: string[]) => [...paths.map((p) => `cat '${p}' 2>/dev/null`), `ls -A "$HOME" 2>/dev/null`, 'echo finished'].join('\n');

/** Node's net client inside the run: prints "connected" or "refused <code>". */
const connectScript = (target: string) =>
  `node -e 'require("net").connect(${target}).on("connect", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log("refused " + e.code); process.exit(0); })'`;

function listen(server: Server, at: string | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => resolve());
  });
}

describe('a run on a worker without bubblewrap', () => {
  let plain: WorkerProcess;
  beforeAll(async () => {
    plain = worker('plain', 'gpu', ['--no-isolation']);
    await plain.ready;
  }, 60_000);
  // The gpu queue is the kill tests' own from here on.
  afterAll(async () => {
    plain.kill();
    await plain.exited;
  });

  it('can read the canaries, and its record and log say plainly that nothing isolates it', async () => {
    const { done, output } = await runScript('plain-secrets', READ_SECRETS([join(home, '.aws', 'credentials'), join(appData, 'secrets.json')]), { queue: 'gpu' });
    expect(output).toContain(HOME_CANARY);
    expect(output).toContain(APP_CANARY);
    expect(done.network).toBe(false);
    expect(done.isolation).toMatchObject({ kind: 'none', network: true });
    expect(done.isolation?.summary).toMatch(/^no isolation on this machine: .*although it asked for none/);
    const log = (await client.logs(done.id)).items.map((l) => l.text);
    expect(log).toContainEqual(expect.stringMatching(/^benchtop: isolation: no isolation on this machine/));
  });
});

describe.runIf(bwrap)('a run under bubblewrap', () => {
  let confined: WorkerProcess;
  beforeAll(async () => {
    confined = worker('confined', 'cpu');
    expect((await confined.ready).runtime).toBe('process (bubblewrap)');
  }, 60_000);

  it('cannot read a canary in the home folder nor in the app-data folder, and finds an empty home', async () => {
    const { done, output } = await runScript('secrets', READ_SECRETS([join(home, '.aws', 'credentials'), join(appData, 'secrets.json'), join(appData, 'sandbox', 'services', 'admin.token'), '/code/run.sh']));
    expect(done.state).toBe('succeeded');
    // It read its own code, so reading works; the secrets were not there.
    expect(output).toContain('cat ');
    expect(output).not.toContain(HOME_CANARY);
    expect(output).not.toContain(APP_CANARY);
    expect(output).not.toContain(sandbox.adminToken);
    expect(output.endsWith('finished')).toBe(true);
    expect(done.isolation).toMatchObject({ kind: 'bubblewrap', network: false });
    expect(done.isolation?.limits.map((l) => l.resource)).toEqual(['memory', 'cpu-time']);
  });

  it('cannot connect to a UNIX socket under /run', async () => {
    const path = `/run/benchtop-test-${process.pid}.sock`;
    const server = createServer((socket) => socket.end());
    await listen(server, path);
    try {
      // The same client from this process connects, so the socket is there to be found.
      const { output } = await runScript('socket', connectScript(JSON.stringify(path)), { network: true });
      expect(output).toMatch(/^refused (ENOENT|EACCES|ECONNREFUSED)$/);
    } finally {
      server.close();
    }
  });

  it('reaches a loopback TCP server only when it asked for network, and the record says which', async () => {
    const server = createServer((socket) => socket.end());
    await listen(server, { port: 0, host: '127.0.0.1' });
    const { port } = server.address() as { port: number };
    try {
      const target = `${port}, "127.0.0.1"`;
      const offline = await runScript('offline', connectScript(target));
      expect(offline.output).toBe('refused ECONNREFUSED');
      expect(offline.done).toMatchObject({ network: false, isolation: { network: false } });
      const online = await runScript('online', connectScript(target), { network: true });
      expect(online.output).toBe('connected');
      expect(online.done).toMatchObject({ network: true, isolation: { network: true } });
    } finally {
      server.close();
    }
  });
});

describe.each([
  { name: 'without bubblewrap', extra: ['--no-isolation'], skip: false },
  { name: 'under bubblewrap', extra: [], skip: !bwrap },
])('kill -9 of a worker ($name)', ({ name, extra, skip }) => {
  // A worker process starts (tsx, the bubblewrap probe) within the test: 8-9 s at load 15 here.
  it.skipIf(skip)('ends its run, and what the run started, at once', async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const doomed = worker(`doomed-${extra.length}`, 'gpu', extra);
    await doomed.ready;
    try {
      const capsule = await shellCapsule(client, `doomed ${name}`, `sleep 900.${marker} &\nsleep 901.${marker}\n`);
      const run = await client.createRun({ capsuleId: capsule.id, queue: 'gpu' });
      await waitForState(client, run.id, ['running']);
      await waitFor('both sleeps of the run', async () => processesWith(`.${marker}`).length === 2);
      doomed.kill();
      await doomed.exited;
      await waitFor('the run to be gone', async () => processesWith(`.${marker}`).length === 0, 10_000);
      // Not retried by the next test's worker: its lease lapses into a cancel.
      await client.cancelRun(run.id);
      await waitForState(client, run.id, ['cancelled']);
    } finally {
      for (const pid of processesWith(`.${marker}`)) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);
});

describe('a worker starting on the work folder of a dead one', () => {
  it('ends the runs the dead one left running', async () => {
    const marker = `.${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const left = spawn('sh', ['-c', `sleep 600${marker} & exec sleep 601${marker}`], { detached: true, stdio: 'ignore' });
    left.unref();
    try {
      await waitFor('the left-over run', async () => processesWith(marker).length === 2);
      const folder = join(appData, 'sandbox', 'workers', 'heir', 'runs', 'run_left.1');
      mkdirSync(folder, { recursive: true });
      recordProcessGroup(folder, left.pid as number);
      await worker('heir', 'gpu').ready;
      await waitFor('the left-over run to end', async () => processesWith(marker).length === 0, 10_000);
    } finally {
      for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);
});
