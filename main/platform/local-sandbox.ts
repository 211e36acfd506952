import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { createPlatformClient } from '../../agents/protocol/client.js';
import { tokenFile } from '../../agents/services/token-files.js';
import type { AgentLauncher } from './agent-launcher.js';
import { startAgent, type AgentProcess } from './child-processes.js';
import { ensureExampleCapsule } from './example-capsule.js';


/** The first stdout line of agents/services/main.ts. */
const servicesAnnouncement = z.object({ url: z.string().url(), adminToken: z.string().min(1), researcherToken: z.string().min(1) });

export interface LocalSandboxOptions {
  /** Everything lives here: services/ (database, repositories, tokens), workers/, logs/. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  workers?: number;
  /** Extra arguments for the services agent (tests: short lease timeouts). */
  servicesArgs?: readonly string[];
  /** Extra arguments for every worker. */
  workerArgs?: readonly string[];
  /** Create the example capsule and its first run when the platform has none (default true). */
  example?: boolean;
  /** How agent processes are started: Node's spawn unless the desktop shell brings its own. */
  launcher?: AgentLauncher;
}

export interface LocalSandbox {
  url: string;
  adminToken: string;
  researcherToken: string;
  /** Process ids, for fault tests: the services agent and the current worker processes. */
  pids(): { services: number; workers: Array<{ workerId: string; pid: number }> };
  stop(): Promise<void>;
}

// A worker that dies on its own is started again, but a worker that keeps dying is left down
// rather than spinning: its log says why.
const RESTART_DELAY_MS = 500;

const workerIdOf = (index: number) => `sandbox-w${index + 1}`;

// On stop, a worker's current run gets this long to finish before it is handed back; the worker
// itself gets WORKER_STOP_MS before SIGKILL, so it always has time to hand back cleanly.
const WORKER_DRAIN_MS = 10_000;
const WORKER_STOP_MS = 15_000;
const MAX_RESTARTS_PER_MINUTE = 10;

/**
 * The platform on this machine: the services agent and `workers` worker agents (process runtime),
 * each its own process on 127.0.0.1. Starting again on the same data folder keeps everything.
 */
export async function startLocalSandbox(options: LocalSandboxOptions): Promise<LocalSandbox> {
  const { dataDir } = options;
  const servicesDir = join(dataDir, 'services');
  const logsDir = join(dataDir, 'logs');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(logsDir, { recursive: true });

  const agentOptions = { ...(options.launcher ? { launcher: options.launcher } : {}) };
  const services = startAgent('services', ['--data', servicesDir, '--port', String(options.port ?? 0), ...(options.servicesArgs ?? [])], join(logsDir, 'services.log'), agentOptions);
  let stopping = false;
  const workers: Array<AgentProcess | null> = [];
  const stopAll = async () => {
    stopping = true;
    // Workers first, so that they finish or hand back their runs while the platform still listens.
    await Promise.all(workers.map((w) => w?.stop(WORKER_STOP_MS)));
    await services.stop(10_000);
  };

  try {
    const announcement = servicesAnnouncement.safeParse(await services.ready);
    if (!announcement.success) throw new Error(`the services agent announced itself in an unexpected shape: ${announcement.error.message}`);
    const { url, adminToken, researcherToken } = announcement.data;

    const restarts: number[][] = [];
    const launch = (index: number): AgentProcess => {
      const work = join(dataDir, 'workers', `w${index + 1}`);
      const worker = startAgent(
        'worker',
        ['--url', url, '--token-file', tokenFile(servicesDir, 'worker'), '--queue', 'cpu', '--runtime', 'process', '--work', work, '--worker-id', workerIdOf(index), '--hide', dataDir, '--drain-grace-ms', String(WORKER_DRAIN_MS), ...(options.workerArgs ?? [])],
        join(logsDir, `worker-${index + 1}.log`),
        agentOptions,
      );
      void worker.exited.then(() => {
        if (stopping || workers[index] !== worker) return;
        const now = Date.now();
        const recent = (restarts[index] = (restarts[index] ?? []).filter((t) => now - t < 60_000));
        if (recent.length >= MAX_RESTARTS_PER_MINUTE) {
          workers[index] = null;
          return;
        }
        recent.push(now);
        setTimeout(() => {
          if (!stopping) workers[index] = launch(index);
        }, RESTART_DELAY_MS);
      });
      return worker;
    };
    for (let i = 0; i < (options.workers ?? 1); i += 1) workers.push(launch(i));
    await Promise.all(workers.map((w) => w?.ready));

    if (options.example !== false) {
      // A platform without its example is still a platform: say why, and go on.
      await ensureExampleCapsule(createPlatformClient({ url, token: researcherToken })).catch((error: Error) =>
        appendFile(join(logsDir, 'sandbox.log'), `${new Date().toISOString()} could not create the example capsule: ${error.message}\n`),
      );
    }

    let stopped: Promise<void> | null = null;
    return {
      url,
      adminToken,
      researcherToken,
      pids: () => ({
        services: services.pid as number,
        workers: workers.flatMap((w, i) => (w?.pid && w.isRunning() ? [{ workerId: workerIdOf(i), pid: w.pid }] : [])),
      }),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
