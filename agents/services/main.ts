import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { appVersion } from '../../lib/app-version.js';
import { announcement } from './announcement.js';
import { awsOptions, awsSettingsFromEnv } from './aws-adapters.js';
import { installCrashPolicy } from './crash-policy.js';
import { runLimitOptions, runLimitsFromFlags } from './run-limits.js';
import { startServices } from './start-services.js';

// The services agent as its own process (from the bundle: node services.mjs ...):
//   node --import tsx agents/services/main.ts --data DIR [--port N] [--host 127.0.0.1]
// Its first stdout line is one JSON object once it listens (announcement.ts says which); SIGTERM or
// SIGINT stops it cleanly. Errors no code handled follow crash-policy.ts.

installCrashPolicy({ agent: 'benchtop services' });

const USAGE = 'usage: services --data DIR [--port N] [--host HOST] [--hide-tokens] [--lease-ttl-ms N] [--max-wait-ms N] [--sweep-ms N] [--backup-interval-ms N] [--drill-interval-ms N] [--budget-interval-ms N] [--log-level LEVEL] [--max-log-lines N] [--max-log-bytes N] [--max-result-files N] [--max-result-bytes N]\n       services --version';

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new Error(`--${name} must be a whole number, not "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  // Who started us, taken before anything else: read after the announcement, a parent that exits
  // as soon as it has read it can already be gone, and the orphan check below would watch PID 1.
  const parent = process.ppid;
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'lease-ttl-ms': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      'sweep-ms': { type: 'string' },
      'backup-interval-ms': { type: 'string' },
      'drill-interval-ms': { type: 'string' },
      'budget-interval-ms': { type: 'string' },
      'log-level': { type: 'string' },
      'hide-tokens': { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      ...runLimitOptions,
    },
    strict: true,
  });
  if (values.version) {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  if (!values.data) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const dataDir = resolve(values.data);
  const aws = awsSettingsFromEnv(process.env);
  const adapters = aws ? awsOptions(aws, dataDir) : null;
  const backupIntervalMs = intOption('backup-interval-ms', values['backup-interval-ms']) || undefined;
  // 0 turns the scheduled drill off (on demand only).
  const drillIntervalMs = intOption('drill-interval-ms', values['drill-interval-ms']);
  const budgetIntervalMs = intOption('budget-interval-ms', values['budget-interval-ms']) || undefined;
  const services = await startServices({
    ...adapters?.options,
    backup: { ...(adapters?.backupCopies ? { copies: adapters.backupCopies } : {}), ...(backupIntervalMs ? { intervalMs: backupIntervalMs } : {}) },
    cost: {
      ...adapters?.options.cost,
      ...(budgetIntervalMs ? { budgetIntervalMs } : {}),
      ...(drillIntervalMs === undefined ? {} : { drillIntervalMs: drillIntervalMs === 0 ? null : drillIntervalMs }),
    },
    dataDir,
    port: intOption('port', values.port) ?? 0,
    host: values.host ?? '127.0.0.1',
    leaseTtlMs: intOption('lease-ttl-ms', values['lease-ttl-ms']),
    maxWaitMs: intOption('max-wait-ms', values['max-wait-ms']),
    sweepMs: intOption('sweep-ms', values['sweep-ms']),
    limits: runLimitsFromFlags(values),
    logger: { level: values['log-level'] ?? 'warn' },
  });
  await adapters?.afterStart({ admin: services.adminToken, worker: services.workerToken });
  const hideTokens = values['hide-tokens'] || aws !== null;
  // Until a listener exists the OS default for SIGTERM is to end the process, and whoever reads
  // the announcement may send one at once: listen first, then announce.
  const stopped = new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  process.stdout.write(`${JSON.stringify(announcement(services, { dataDir, pid: process.pid, hideTokens, ssmPrefix: aws?.ssmPrefix }))}\n`);
  // If whatever started us (the sandbox) dies without stopping us, we are re-parented; stop then
  // rather than live on as an orphan holding a port and the data folder. Under systemd the
  // parent is PID 1 from the start and never changes.
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000);
  await stopped;
  clearInterval(orphanCheck);
  await services.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`benchtop services: ${error.message}\n`);
    process.exit(1);
  },
);
