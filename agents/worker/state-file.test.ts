import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { shellCapsule, waitFor, waitForState } from './fault-test-support.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import { openWorkerStateFile, workerState } from './state-file.js';
import { startWorker } from './worker.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'benchtop-state-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const read = (path: string) => workerState.parse(JSON.parse(readFileSync(path, 'utf8')));
/** For polls: null until the first write has landed. */
const tryRead = (path: string) => {
  try {
    return read(path);
  } catch {
    return null;
  }
};

describe('worker state file', () => {
  it('says idle since it opened, busy while runs go on, idle again since the last ended', async () => {
    const path = join(tempDir(), 'worker-state.json');
    let clock = Date.parse('2026-12-01T10:00:00.000Z');
    const file = openWorkerStateFile(path, { now: () => new Date(clock) });
    // close() waits for the writes so far; a set() after it still writes (only the refresh stops).
    const settle = () => file.close();
    await settle();
    expect(read(path)).toEqual({ running: 0, idleSince: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' });
    clock += 60_000;
    file.set(1);
    file.set(2);
    await settle();
    expect(read(path)).toEqual({ running: 2, idleSince: null, updatedAt: '2026-12-01T10:01:00.000Z' });
    clock += 60_000;
    file.set(1);
    clock += 60_000;
    file.set(0);
    await settle();
    expect(read(path)).toEqual({ running: 0, idleSince: '2026-12-01T10:03:00.000Z', updatedAt: '2026-12-01T10:03:00.000Z' });
    // Only the file itself is left: the temporary copy was renamed over it.
    expect(readdirSync(join(path, '..'))).toEqual(['worker-state.json']);
  });

  it('refreshes updatedAt while nothing changes, so a silent file means a dead agent', async () => {
    const path = join(tempDir(), 'worker-state.json');
    let clock = Date.parse('2026-12-01T10:00:00.000Z');
    const file = openWorkerStateFile(path, { refreshMs: 20, now: () => new Date((clock += 1000)) });
    await waitFor('a refresh', async () => (tryRead(path)?.updatedAt ?? '') > '2026-12-01T10:00:02.000Z', 5_000, 10);
    await file.close();
    expect(read(path).idleSince).toBe('2026-12-01T10:00:01.000Z');
  });

  it('logs once and goes on when the file cannot be written', async () => {
    const lines: string[] = [];
    const file = openWorkerStateFile(join(tempDir(), 'missing', 'worker-state.json'), { log: (m) => lines.push(m) });
    file.set(1);
    file.set(0);
    await file.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot write the state file .*missing\/worker-state.json/);
  });
});

describe('worker agent with a state file', () => {
  let dataDir: string;
  let sandbox: LocalSandbox;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'benchtop-state-worker-'));
    sandbox = await startLocalSandbox({ dataDir, workers: 0, example: false });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('writes running 1 while its run goes on and 0 with an idle time once it has finished', async () => {
    const client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
    const token = readFileSync(join(dataDir, 'services', 'worker.token'), 'utf8').trim();
    const stateFile = join(dataDir, 'worker-state.json');
    const worker = await startWorker({ url: sandbox.url, token, queue: 'cpu', runtime: createProcessRuntime(), workDir: join(dataDir, 'w'), workerId: 'stateful', pollWaitMs: 500, stateFile, log: () => undefined });
    const idleAtStart = await waitFor('the first state', async () => tryRead(stateFile), 10_000, 20);
    expect(idleAtStart.running).toBe(0);
    // The run goes on until the test has seen the worker busy.
    const capsule = await shellCapsule(client, 'waiter', 'while [ ! -e "$TMPDIR/go" ]; do sleep 0.1; done\n');
    const run = await client.createRun({ capsuleId: capsule.id });
    const busy = await waitFor('running 1', async () => (tryRead(stateFile)?.running === 1 ? read(stateFile) : null), 20_000, 20);
    expect(busy.idleSince).toBeNull();
    await waitForState(client, run.id, ['running']);
    const folders = join(dataDir, 'w', 'runs');
    writeFileSync(join(folders, readdirSync(folders)[0]!, 'tmp', 'go'), '');
    await waitForState(client, run.id);
    const idle = await waitFor('running 0 again', async () => (tryRead(stateFile)?.running === 0 ? read(stateFile) : null), 20_000, 20);
    expect(Date.parse(idle.idleSince!)).toBeGreaterThan(Date.parse(idleAtStart.idleSince!));
    await worker.drain();
  }, 60_000);
});
