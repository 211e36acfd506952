import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AccessPolicy } from './access-policy.js';
import { ReproChecks, startReproChecks } from './repro-checks.js';
import type { BackupCopies } from './backup-copies.js';
import { buildCostAndBackups, type CostAndBackupsOptions } from './cost-and-backups.js';
import { CapsulesStore } from './capsules-store.js';
import type { LogSink, Services } from './context.js';
import { DatasetsStore } from './datasets-store.js';
import { openDatabase, WriteQueue, type Db } from './db.js';
import { LeaseManager } from './lease-manager.js';
import { LeaseSweeper } from './lease-sweeper.js';
import { LogCap } from './log-cap.js';
import { LogsReader } from './logs-reader.js';
import { DurationHistogram } from './metrics.js';
import { Notifier } from './notifier.js';
import { FolderObjectStore, type ObjectStore } from './object-store.js';
import { Presence } from './presence.js';
import { ensurePrivateDir } from './private-paths.js';
import { ResultsStore } from './results-store.js';
import { queueStatuses } from './routes-admin.js';
import { MAX_REQUEST_BODY_BYTES, type RunLimits } from '../../common/limits.js';
import { appVersion } from '../../lib/app-version.js';
import { runLimits } from './run-limits.js';
import type { SecretBox, SecretsKey } from './secret-box.js';
import { fileSecretsKey, loadSecretBox, retrySecretsKey, secretsKeyFile } from './secrets-key.js';
import { RunsStore } from './runs-store.js';
import { buildServer } from './server.js';
import { ensureRoleToken } from './token-files.js';
import { UsersStore } from './users-store.js';

export interface StartServicesOptions {
  /** Holds the database, capsule repositories, objects (sandbox), backups and token files. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  leaseTtlMs?: number;
  /** The clock leases lapse by (default Date.now): a test moves it past a TTL instead of waiting one out. */
  leaseClock?: () => number;
  heartbeatMs?: number;
  maxWaitMs?: number;
  maxAttempts?: number;
  /** How often expired leases are looked for. */
  sweepMs?: number;
  /** How often due reproducibility checks are looked for (a finished check run is settled at once). */
  reproCheckMs?: number;
  /** A worker counts as online this long after its last poll or heartbeat. */
  workerOnlineMs?: number;
  /** Largest upload (dataset blob, result file), bytes. */
  maxUploadBytes?: number;
  /** What one run may store (log lines and bytes, result files and bytes); defaults in run-limits.ts. */
  limits?: Partial<RunLimits>;
  /** Largest JSON body, bytes. */
  bodyLimit?: number;
  /** Default: a folder in the data dir. On AWS: S3ObjectStore. */
  objectStore?: ObjectStore;
  logSink?: LogSink;
  logger?: boolean | { level: string };
  /** The agent's own diagnostics (failed backups and lease sweeps); default: stderr. */
  log?: (message: string) => void;
  sse?: { pageSize?: number; keepAliveMs?: number };
  /** Online backups of the database into `<dataDir>/backups` (default every 6 hours, 7 kept); false turns them off. */
  backup?: { intervalMs?: number; keep?: number; copies?: BackupCopies } | false;
  /** Run pricing (region, AWS Price List), the budget source and its schedule, restore drills. */
  cost?: Omit<CostAndBackupsOptions, 'backup' | 'log'>;
  /**
   * The key that seals secret run parameters and where it is kept; default: the key file
   * `<dataDir>/secrets.key`, made on first start. On AWS: an SSM SecureString (aws-adapters.ts).
   */
  secretsKey?: { place: string; load: () => Promise<SecretsKey> };
  /** While the key cannot be had, how often it is tried again (default a minute). */
  secretsKeyRetryMs?: number;
  /** Runs before the server listens, with everything built (backups, metric publishers). */
  extend?: (services: Services) => { stop(): Promise<void> | void } | void;
}

export interface RunningServices {
  url: string;
  port: number;
  adminToken: string;
  workerToken: string;
  researcherToken: string;
  services: Services;
  app: FastifyInstance;
  close(): Promise<void>;
}

export function buildServices(db: Db, dataDir: string, options: StartServicesOptions, version: string, secrets: SecretBox): Services {
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(leaseTtlMs / 3));
  const maxWaitMs = options.maxWaitMs ?? 25_000;
  const maxUploadBytes = options.maxUploadBytes ?? 50 * 1024 ** 3;
  const writes = new WriteQueue(db);
  const presence = new Presence(options.workerOnlineMs ?? Math.max(3 * heartbeatMs, maxWaitMs + 5_000));
  const queues = new Notifier();
  const logsChanged = new Notifier();
  const objects = options.objectStore ?? new FolderObjectStore(join(dataDir, 'objects'));
  const users = new UsersStore(db, writes);
  const capsules = new CapsulesStore(db, writes, join(dataDir, 'capsules'));
  const datasets = new DatasetsStore(db, writes, objects, maxUploadBytes);
  const runs = new RunsStore(db, writes, capsules, datasets, presence, queues, { maxAttempts: options.maxAttempts ?? 3, secrets });
  const leases = new LeaseManager({ db, writes, runs, presence, queues, logsChanged, leaseTtlMs, heartbeatMs, maxWaitMs, now: options.leaseClock });
  const limits = runLimits(options.limits);
  const logCap = new LogCap(db, limits);
  leases.onLogsAppended((runN, firstSeq, lines) => logCap.afterAppend(runN, firstSeq, lines));
  const durations = new DurationHistogram();
  const costAndBackups = buildCostAndBackups(
    { db, writes, dataDir, runs, leases, capsules, queues },
    { ...options.cost, ...(options.backup !== undefined ? { backup: options.backup } : {}), ...(options.log ? { log: options.log } : {}) },
  );
  leases.onFinished((f) => {
    if (f.durationSeconds !== null) durations.observe(f.durationSeconds);
  });
  const results = new ResultsStore(db, objects, leases, runs, { ...limits, maxFileBytes: maxUploadBytes });
  const services: Services = {
    version,
    startedAt: Date.now(),
    db,
    writes,
    users,
    access: new AccessPolicy(db),
    capsules,
    datasets,
    runs,
    leases,
    logs: new LogsReader(db, logsChanged),
    results,
    checks: new ReproChecks({ db, writes, users, runs, results }),
    presence,
    costAndBackups,
    durations,
    snapshot: () => {
      const q = queueStatuses(services);
      return {
        queues: {
          cpu: { queued: q.cpu.queued, running: q.cpu.running, workersOnline: q.cpu.workersOnline },
          gpu: { queued: q.gpu.queued, running: q.gpu.running, workersOnline: q.gpu.workersOnline },
        },
        byState: runs.stateCounts(),
      };
    },
    sse: { pageSize: options.sse?.pageSize ?? 2000, keepAliveMs: options.sse?.keepAliveMs ?? 15_000 },
    ...(options.logSink ? { logSink: options.logSink } : {}),
  };
  return services;
}

/**
 * Starts the services agent in this process: opens (or creates) the database in `dataDir`,
 * makes sure the admin, worker and researcher tokens exist (files `<role>.token`, mode 0600),
 * and listens on `host:port` (127.0.0.1 and a free port by default).
 */
export async function startServices(options: StartServicesOptions): Promise<RunningServices> {
  const dataDir = options.dataDir;
  const log = options.log ?? ((message: string) => process.stderr.write(`benchtop services: ${message}\n`));
  await ensurePrivateDir(dataDir);
  await ensurePrivateDir(join(dataDir, 'capsules'));
  const db = openDatabase(join(dataDir, 'benchtop.sqlite'));
  const secretsKey = options.secretsKey ?? { place: `the key file ${secretsKeyFile(dataDir)}`, load: () => fileSecretsKey(dataDir) };
  // Without a usable key the agent still serves: runs that need a secret fail, saying why.
  const secrets = await loadSecretBox(secretsKey.place, secretsKey.load);
  if (secrets.problem) log(`${secrets.problem}; runs with secret parameters cannot be launched or started`);
  const services = buildServices(db, dataDir, options, appVersion(), secrets);
  const stoppers: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  };
  let app: FastifyInstance | undefined;
  try {
    await services.capsules.reconcile();
    const sealing = await services.runs.sealPlainSecrets();
    if (sealing.sealed > 0) log(`encrypted the secret parameters of ${sealing.sealed} runs with the key in ${secrets.place}`);
    if (sealing.problem) log(sealing.problem);
    if (secrets.problem) stoppers.push(retrySecretsKey(services.runs, secretsKey, options.secretsKeyRetryMs ?? 60_000, log));
    const adminToken = await ensureRoleToken(dataDir, 'admin', services.users, services.writes);
    const workerToken = await ensureRoleToken(dataDir, 'worker', services.users, services.writes);
    const researcherToken = await ensureRoleToken(dataDir, 'researcher', services.users, services.writes);
    // Leases that expired while the agent was down are swept at once, then on a timer.
    await services.leases.sweep();
    const sweeper = new LeaseSweeper({ sweep: () => services.leases.sweep(), intervalMs: options.sweepMs ?? 1000, log });
    sweeper.start();
    stoppers.push(() => sweeper.stop());
    services.costAndBackups.start();
    stoppers.push(() => services.costAndBackups.stop());
    stoppers.push(startReproChecks(services, options.reproCheckMs ?? 60_000, log));
    const extension = options.extend?.(services);
    if (extension) stoppers.push(() => extension.stop());
    app = buildServer(services, { logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? MAX_REQUEST_BODY_BYTES });
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const host = options.host ?? '127.0.0.1';
    const running = app;
    let closed = false;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      adminToken,
      workerToken,
      researcherToken,
      services,
      app: running,
      async close() {
        if (closed) return;
        closed = true;
        await stopAll();
        await running.close();
        db.close();
      },
    };
  } catch (error) {
    await stopAll();
    await app?.close();
    db.close();
    throw error;
  }
}
