import { readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { createPlatformClient } from '../../lib/protocol/client.js';
import type { SandboxStatus } from '../../common/api/platforms.contract.js';
import { tokenFileName } from '../../common/protocol/common.js';
import type { AgentLauncher } from './agent-launcher.js';
import { AgentSupervisor } from './agent-supervisor.js';
import { startAgent } from './child-processes.js';
import { ensureExampleCapsule } from './example-capsule.js';
import { detectSandboxRuntime, type SandboxRuntime, type SandboxRuntimeChoice } from './sandbox-runtime.js';

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
  /** How workers run capsules: a container engine when one answers (auto), or as chosen; default BENCHTOP_SANDBOX_RUNTIME, else auto. */
  runtime?: SandboxRuntimeChoice;
  /** The docker client looked for (tests put a fake first). */
  docker?: string;
}

export interface LocalSandbox {
  url: string;
  adminToken: string;
  researcherToken: string;
  /** Process ids, for fault tests: the services agent and the current worker processes. */
  pids(): { services: number; workers: Array<{ workerId: string; pid: number }> };
  /** Each agent as its supervisor sees it: running, restarting after a crash, how often; the runtime and its cache. */
  status(): SandboxStatus;
  /** How the workers run capsules, and why. */
  runtime: SandboxRuntime;
  stop(): Promise<void>;
}

const workerIdOf = (index: number) => `sandbox-w${index + 1}`;

const RUNTIME_CHOICES: readonly SandboxRuntimeChoice[] = ['auto', 'docker', 'process'];

/** What a worker's environment cache wrote last (agents/worker/environments/environment-cache.ts, usage.json). */
function cacheUsage(workDirs: readonly string[]): SandboxStatus['environmentCache'] {
  const usages: Array<{ entries: number; bytes: number; maxBytes: number }> = [];
  for (const work of workDirs) {
    try {
      usages.push(JSON.parse(readFileSync(join(work, 'cache', 'environments', 'usage.json'), 'utf8')) as { entries: number; bytes: number; maxBytes: number });
    } catch {
      // No environment prepared by this worker yet.
    }
  }
  if (usages.length === 0) return null;
  return usages.reduce((sum, u) => ({ entries: sum.entries + u.entries, bytes: sum.bytes + u.bytes, maxBytes: sum.maxBytes + u.maxBytes }));
}

// On stop, a worker's current run gets this long to finish before it is handed back; the worker
// itself gets WORKER_STOP_MS before SIGKILL: the drain, the run's SIGTERM-to-SIGKILL grace (the
// worker's default), the release of its lease (bounded by the worker) and a margin, so a worker whose
// run's command is running has time to hand back cleanly instead of leaving the lease to lapse. A run
// still staging or building its environment is not interrupted by the drain: past this bound its
// lease lapses and the run is retried after the lease's lifetime.
const WORKER_DRAIN_MS = 10_000;
const WORKER_KILL_GRACE_MS = 10_000;
const WORKER_RELEASE_MS = 5_000;
const WORKER_STOP_MS = WORKER_DRAIN_MS + WORKER_KILL_GRACE_MS + WORKER_RELEASE_MS + 3_000;

/**
 * The platform on this machine: the services agent and `workers` worker agents (docker when an engine answers, else the process runtime with native environments),
 * each its own process on 127.0.0.1, each started again (with backoff) when it dies on its own.
 * Starting again on the same data folder keeps everything.
 */
export async function startLocalSandbox(options: LocalSandboxOptions): Promise<LocalSandbox> {
  const { dataDir } = options;
  const servicesDir = join(dataDir, 'services');
  const logsDir = join(dataDir, 'logs');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(logsDir, { recursive: true });
  const log = (message: string) => void appendFile(join(logsDir, 'sandbox.log'), `${new Date().toISOString()} ${message}\n`).catch(() => undefined);

  const agentOptions = { ...(options.launcher ? { launcher: options.launcher } : {}) };
  // A restarted services agent listens where the first one did: the workers and the app keep its URL.
  let port = options.port ?? 0;
  const services = new AgentSupervisor({
    name: 'services',
    // At info (the agent's own default is warn) the Logs page has requests and runs to follow.
    launch: () => startAgent('services', ['--data', servicesDir, '--port', String(port), '--log-level', 'info', ...(options.servicesArgs ?? [])], join(logsDir, 'services.log'), agentOptions),
    log,
  });
  const workers: AgentSupervisor[] = [];
  const stopAll = async () => {
    // Workers first, so that they finish or hand back their runs while the platform still listens.
    await Promise.all(workers.map((w) => w.stop(WORKER_STOP_MS)));
    await services.stop(10_000);
  };

  try {
    const announcement = servicesAnnouncement.safeParse(await services.ready);
    if (!announcement.success) throw new Error(`the services agent announced itself in an unexpected shape: ${announcement.error.message}`);
    const { url, adminToken, researcherToken } = announcement.data;
    port = Number(new URL(url).port);

    const asked = options.runtime ?? process.env.BENCHTOP_SANDBOX_RUNTIME ?? 'auto';
    if (!RUNTIME_CHOICES.includes(asked as SandboxRuntimeChoice)) throw new Error(`BENCHTOP_SANDBOX_RUNTIME must be auto, docker or process, not "${asked}"`);
    const runtime = await detectSandboxRuntime({ choice: asked as SandboxRuntimeChoice, ...(options.docker ? { docker: options.docker } : {}) });
    log(`workers use the ${runtime.name} runtime: ${runtime.reason}`);
    const workDirs: string[] = [];

    for (let index = 0; index < (options.workers ?? 1); index += 1) {
      const work = join(dataDir, 'workers', `w${index + 1}`);
      workDirs.push(work);
      workers.push(
        new AgentSupervisor({
          name: workerIdOf(index),
          launch: () =>
            startAgent(
              'worker',
              ['--url', url, '--token-file', join(servicesDir, tokenFileName('worker')), '--queue', 'cpu', ...runtime.workerArgs, '--work', work, '--worker-id', workerIdOf(index), '--hide', dataDir, '--drain-grace-ms', String(WORKER_DRAIN_MS), '--kill-grace-ms', String(WORKER_KILL_GRACE_MS), ...(options.workerArgs ?? [])],
              join(logsDir, `worker-${index + 1}.log`),
              agentOptions,
            ),
          log,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));

    if (options.example !== false) {
      // A platform without its example is still a platform: say why, and go on.
      await ensureExampleCapsule(createPlatformClient({ url, token: researcherToken })).catch((error: Error) => log(`could not create the example capsule: ${error.message}`));
    }

    let stopped: Promise<void> | null = null;
    return {
      url,
      adminToken,
      researcherToken,
      pids: () => ({
        services: services.pid() ?? 0,
        workers: workers.flatMap((w, i) => {
          const pid = w.pid();
          return pid ? [{ workerId: workerIdOf(i), pid }] : [];
        }),
      }),
      runtime,
      status: () => ({ services: services.status(), workers: workers.map((w) => w.status()), runtime: { name: runtime.name, reason: runtime.reason }, environmentCache: cacheUsage(workDirs) }),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
