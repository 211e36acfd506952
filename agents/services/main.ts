import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { awsOptions, awsSettingsFromEnv } from './aws-adapters.js';
import { installCrashPolicy } from './crash-policy.js';
import { runLimitOptions, runLimitsFromFlags } from './run-limits.js';
import { startServices } from './start-services.js';

// The services agent as its own process:
//   node --import tsx agents/services/main.ts --data DIR [--port N] [--host 127.0.0.1]
// Its first stdout line is one JSON object {"url","adminToken","workerToken","researcherToken","pid"}
// once it listens; SIGTERM or SIGINT stops it cleanly. Errors no code handled follow crash-policy.ts.

installCrashPolicy({ agent: 'benchtop services' });

const USAGE = 'usage: main.ts --data DIR [--port N] [--host HOST] [--lease-ttl-ms N] [--max-wait-ms N] [--sweep-ms N] [--log-level LEVEL] [--max-log-lines N] [--max-log-bytes N] [--max-result-files N] [--max-result-bytes N]';

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new Error(`--${name} must be a whole number, not "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'lease-ttl-ms': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      'sweep-ms': { type: 'string' },
      'log-level': { type: 'string' },
      ...runLimitOptions,
    },
    strict: true,
  });
  if (!values.data) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const dataDir = resolve(values.data);
  const aws = awsSettingsFromEnv(process.env);
  const adapters = aws ? awsOptions(aws, dataDir) : null;
  const services = await startServices({
    ...adapters?.options,
    ...(adapters?.backupUploader ? { backup: { uploader: adapters.backupUploader } } : {}),
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
  process.stdout.write(
    `${JSON.stringify({ url: services.url, adminToken: services.adminToken, workerToken: services.workerToken, researcherToken: services.researcherToken, pid: process.pid })}\n`,
  );
  // If whatever started us (the sandbox) dies without stopping us, we are re-parented; stop then
  // rather than live on as an orphan holding a port and the data folder. Under systemd the
  // parent is PID 1 from the start and never changes.
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
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
