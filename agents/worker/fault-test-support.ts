import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { FINISHED_STATES, type Run } from '../../common/protocol/index.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';

// Shared by the fault tests: a real sandbox with short leases so that lost workers are noticed
// within seconds.
export const SHORT_LEASES = ['--lease-ttl-ms', '1500', '--sweep-ms', '100', '--max-wait-ms', '1000'];
export const FAST_WORKER = ['--poll-ms', '1000', '--kill-grace-ms', '500'];

export interface FaultSandbox {
  sandbox: LocalSandbox;
  dataDir: string;
  client: PlatformClient;
  dispose(): Promise<void>;
}

export async function startFaultSandbox(name: string, workers: number): Promise<FaultSandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), `benchtop-${name}-`));
  const sandbox = await startLocalSandbox({ dataDir, workers, example: false, servicesArgs: SHORT_LEASES, workerArgs: FAST_WORKER });
  return {
    sandbox,
    dataDir,
    client: createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken }),
    async dispose() {
      await sandbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A capsule whose only file is `run.sh`, run with sh. */
export async function shellCapsule(client: PlatformClient, name: string, script: string) {
  return client.createCapsule({
    name,
    environment: { baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: [] },
    command: ['sh', '/code/run.sh'],
    files: [{ path: 'run.sh', content: script }],
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function waitForState(client: PlatformClient, runId: string, states: readonly Run['state'][] = FINISHED_STATES, timeoutMs = 30_000): Promise<Run> {
  return waitFor(`run ${runId} to be ${states.join(' or ')}`, async () => {
    const run = await client.getRun(runId);
    return states.includes(run.state) ? run : null;
  }, timeoutMs);
}

export interface WorkerProcess {
  pid: number;
  /** The worker's announcement (first stdout line). */
  ready: Promise<{ runtime: string }>;
  exited: Promise<void>;
  /** SIGKILL to the worker process alone, as the OOM killer or a crash would end it. */
  kill(): void;
}

/** A worker agent started by hand, with its own environment (tests: a fake HOME). */
export function startWorkerProcess(args: readonly string[], env: NodeJS.ProcessEnv): WorkerProcess {
  const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<{ runtime: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as { runtime: string }));
    void exited.then(() => reject(new Error(`the worker exited before it was ready: ${stderr.join('')}`)));
  });
  ready.catch(() => undefined);
  return { pid: child.pid as number, ready, exited, kill: () => child.kill('SIGKILL') };
}

/** Processes on this machine whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}
