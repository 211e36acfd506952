import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { purchaseOption, queueName } from '../../common/protocol/index.js';
import { readPurchaseOption } from './purchase-option.js';
import { appVersion } from '../../lib/app-version.js';
import { installCrashPolicy } from './crash-policy.js';
import { createDockerRuntime } from './runtimes/docker-runtime.js';
import { createNativeEnvironments } from './environments/native-environments.js';
import { createProcessRuntime } from './runtimes/process-runtime.js';
import type { Runtime } from './runtimes/runtime.js';
import { parseSlots } from './slot-pool.js';
import { idleCheck } from './idle-check.js';
import { startWorker } from './worker.js';

const USAGE = `usage: worker --url URL --token-file FILE --work DIR
    [--queue cpu|gpu] [--runtime process|docker] [--worker-id ID] [--poll-ms N]
    [--drain-grace-ms N] [--kill-grace-ms N] [--no-isolation] [--hide DIR]... [--expose DIR]...
    [--registry ECR_URI] [--instance-type T] [--purchase-option on-demand|spot] [--hourly-cost USD]
    [--dataset-cache DIR] [--dataset-cache-max-mib N] [--slots cpus=N,memory-mb=N,gpus=N]
    [--state-file FILE] [--environments native|host] [--environment-cache DIR]
    [--environment-cache-max-mib N] [--python CMD] [--pip-index-url URL] [--pip-find-links DIR]...
    [--pip-no-index] [--no-metadata-firewall] [--docker CMD] [--docker-host URL]
       worker --idle-check STATE_FILE --idle-minutes N --worker-id INSTANCE_ID [--idle-mark FILE]
       worker --version
(from the bundle: node worker.mjs ...; from the sources: node --import tsx agents/worker/main.ts ...)`;

// Errors no code handled: see crash-policy.ts.
installCrashPolicy();

function fail(message: string): never {
  process.stderr.write(`worker: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number of milliseconds, got "${value}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'token-file': { type: 'string' },
    queue: { type: 'string', default: 'cpu' },
    runtime: { type: 'string', default: 'process' },
    work: { type: 'string' },
    'worker-id': { type: 'string' },
    'poll-ms': { type: 'string' },
    'drain-grace-ms': { type: 'string' },
    'kill-grace-ms': { type: 'string' },
    'no-isolation': { type: 'boolean', default: false },
    hide: { type: 'string', multiple: true, default: [] },
    expose: { type: 'string', multiple: true, default: [] },
    registry: { type: 'string' },
    'instance-type': { type: 'string' },
    'hourly-cost': { type: 'string' },
    'purchase-option': { type: 'string' },
    'dataset-cache': { type: 'string' },
    'dataset-cache-max-mib': { type: 'string' },
    slots: { type: 'string' },
    'state-file': { type: 'string' },
    environments: { type: 'string', default: 'native' },
    'environment-cache': { type: 'string' },
    'environment-cache-max-mib': { type: 'string' },
    python: { type: 'string' },
    'pip-index-url': { type: 'string' },
    'pip-find-links': { type: 'string', multiple: true, default: [] },
    'pip-no-index': { type: 'boolean', default: false },
    'no-metadata-firewall': { type: 'boolean', default: false },
    docker: { type: 'string', default: 'docker' },
    'docker-host': { type: 'string' },
    'idle-check': { type: 'string' },
    'idle-mark': { type: 'string' },
    'idle-minutes': { type: 'string' },
    version: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.version) {
  process.stdout.write(`${appVersion()}\n`);
  process.exit(0);
}

// The instance's idle check (templates/boot/lib/idle.sh), run by root's timer every minute.
if (values['idle-check'] !== undefined) {
  const minutes = Number(values['idle-minutes']);
  if (!(Number.isInteger(minutes) && minutes > 0)) fail(`--idle-minutes must be a whole number of minutes above 0, got "${values['idle-minutes'] ?? ''}"`);
  if (!values['worker-id']) fail('--idle-check needs --worker-id (the instance id)');
  const outcome = await idleCheck({ stateFile: resolve(values['idle-check']), idleMinutes: minutes, instanceId: values['worker-id'], ...(values['idle-mark'] ? { markFile: resolve(values['idle-mark']) } : {}) }).catch((error: Error) => fail(`idle check: ${error.message}`));
  process.stdout.write(`idle check: ${outcome}\n`);
  process.exit(0);
}

if (!values.url) fail('--url is required (the services agent, e.g. http://127.0.0.1:7300)');
if (!values['token-file']) fail('--token-file is required (a file holding the worker token)');
if (!values.work) fail('--work is required (a folder for per-run files and the dataset cache)');
const queue = queueName.safeParse(values.queue);
if (!queue.success) fail(`--queue must be cpu or gpu, got "${values.queue}"`);
const tokenFile = resolve(values['token-file']);
let token: string;
try {
  token = readFileSync(tokenFile, 'utf8').trim();
} catch (error) {
  fail(`cannot read the token file: ${(error as Error).message}`);
}
const workDir = resolve(values.work);
const datasetCacheDir = values['dataset-cache'] === undefined ? undefined : resolve(values['dataset-cache']);

const envCacheMiB = values['environment-cache-max-mib'] === undefined ? undefined : Number(values['environment-cache-max-mib']);
if (envCacheMiB !== undefined && !(Number.isInteger(envCacheMiB) && envCacheMiB > 0)) fail(`--environment-cache-max-mib must be a whole number of MiB above 0, got "${values['environment-cache-max-mib']}"`);
const environmentCacheDir = resolve(values['environment-cache'] ?? join(workDir, 'cache', 'environments'));
const environmentCacheBytes = envCacheMiB === undefined ? undefined : envCacheMiB * 1024 * 1024;
if (values.environments !== 'native' && values.environments !== 'host') fail(`--environments must be native or host, got "${values.environments}"`);

let runtime: Runtime;
if (values.runtime === 'process') {
  const environments =
    values.environments === 'native'
      ? createNativeEnvironments({
          cacheDir: environmentCacheDir,
          maxBytes: environmentCacheBytes,
          python: values.python,
          pip: { indexUrl: values['pip-index-url'], findLinks: values['pip-find-links'].map((p) => resolve(p)), noIndex: values['pip-no-index'] },
        })
      : undefined;
  runtime = createProcessRuntime({
    isolation: values['no-isolation'] ? false : 'auto',
    hide: [workDir, dirname(tokenFile), ...(datasetCacheDir ? [datasetCacheDir] : []), ...values.hide.map((p) => resolve(p))],
    expose: values.expose.map((p) => resolve(p)),
    ...(environments ? { environments } : {}),
  });
} else if (values.runtime === 'docker') {
  const firewall = values['no-metadata-firewall'] ? { metadataFirewall: false as const } : {};
  // Podman's Docker-compatible socket, for the docker client and everything it starts.
  if (values['docker-host']) process.env.DOCKER_HOST = values['docker-host'];
  runtime = await createDockerRuntime({ docker: values.docker, gpu: queue.data === 'gpu', registry: values.registry, user: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`, imageCache: { file: join(environmentCacheDir, 'images.json'), maxBytes: environmentCacheBytes }, ...firewall }).catch((error: Error) => {
    // A host problem (no engine, no metadata firewall), not a bug: say it, and let systemd retry.
    process.stderr.write(`worker: the docker runtime cannot start: ${error.message}\n`);
    process.exit(1);
  });
} else {
  fail(`--runtime must be process or docker, got "${values.runtime}"`);
}

const hourly = values['hourly-cost'] === undefined ? undefined : Number(values['hourly-cost']);
if (hourly !== undefined && !(hourly >= 0)) fail(`--hourly-cost must be a number of US dollars, got "${values['hourly-cost']}"`);
const purchase = values['purchase-option'] === undefined ? undefined : purchaseOption.safeParse(values['purchase-option']);
if (purchase && !purchase.success) fail(`--purchase-option must be on-demand or spot, got "${values['purchase-option']}"`);
// An instance that does not say how it is bought asks its metadata (a mixed group launches both).
const bought = purchase?.data ?? (values['instance-type'] === undefined ? undefined : await readPurchaseOption());

const cacheMiB = values['dataset-cache-max-mib'] === undefined ? undefined : Number(values['dataset-cache-max-mib']);
if (cacheMiB !== undefined && !(Number.isInteger(cacheMiB) && cacheMiB > 0)) fail(`--dataset-cache-max-mib must be a whole number of MiB above 0, got "${values['dataset-cache-max-mib']}"`);

const slots = values.slots === undefined ? undefined : parseSlots(values.slots);
if (typeof slots === 'string') fail(slots);

const worker = await startWorker({
  url: values.url,
  token,
  queue: queue.data,
  runtime,
  workDir,
  workerId: values['worker-id'],
  instanceType: values['instance-type'],
  hourlyCostUsd: hourly,
  purchaseOption: bought,
  datasetCacheDir,
  slots,
  stateFile: values['state-file'] === undefined ? undefined : resolve(values['state-file']),
  datasetCacheMaxBytes: cacheMiB === undefined ? undefined : cacheMiB * 1024 * 1024,
  pollWaitMs: integer('poll-ms', values['poll-ms']),
  drainGraceMs: integer('drain-grace-ms', values['drain-grace-ms']),
  killGraceMs: integer('kill-grace-ms', values['kill-grace-ms']),
}).catch((error: Error) => fail(error.message));

const drain = (signal: string) => {
  process.stderr.write(`worker: ${signal}: draining\n`);
  void worker.drain().then(() => process.exit(0));
};
process.once('SIGTERM', () => drain('SIGTERM'));
process.once('SIGINT', () => drain('SIGINT'));

// Until a listener exists the OS default for SIGTERM is to end the process, and whoever reads
// this line may send one at once: ready only once a stop is a drain.
process.stdout.write(`${JSON.stringify({ event: 'ready', workerId: worker.workerId, runtime: runtime.description, queue: queue.data })}\n`);

worker.stopped.then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`worker: ${error.message}\n`);
    process.exit(1);
  },
);
