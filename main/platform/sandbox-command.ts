import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalSandbox } from './local-sandbox.js';
import { defaultSandboxDir } from './sandbox-data-dir.js';

const USAGE = `usage: benchtop sandbox [--data DIR] [--port N] [--workers N] [--json]

Runs the platform on this machine: the services agent and N workers (process runtime) on
127.0.0.1, until Ctrl-C. Starting again on the same data folder keeps capsules, runs and tokens.

  --data DIR     data folder (default ${defaultSandboxDir()})
  --port N       port of the platform API (default 7300; 0 picks a free port)
  --workers N    worker processes (default 1)
  --json         print {"url","adminToken","researcherToken"} as the first line, for scripts
`;

function wholeNumber(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new Error(`--${flag} must be a whole number from 0 to ${max}, got "${value}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        port: { type: 'string', default: '7300' },
        workers: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`benchtop sandbox: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let port: number;
  let workers: number;
  try {
    port = wholeNumber('port', values.port, 65_535);
    workers = wholeNumber('workers', values.workers, 64);
  } catch (error) {
    process.stderr.write(`benchtop sandbox: ${(error as Error).message}\n`);
    return 2;
  }
  const dataDir = resolve(values.data ?? defaultSandboxDir());

  let sandbox;
  try {
    sandbox = await startLocalSandbox({ dataDir, port, workers });
  } catch (error) {
    process.stderr.write(`benchtop sandbox: could not start: ${(error as Error).message}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url: sandbox.url, adminToken: sandbox.adminToken, researcherToken: sandbox.researcherToken })}\n`);
  } else {
    process.stdout.write(
      [
        `Benchtop sandbox is running at ${sandbox.url} with ${workers} worker(s).`,
        `  data:             ${dataDir}`,
        `  admin token:      ${sandbox.adminToken}`,
        `  researcher token: ${sandbox.researcherToken}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`benchtop sandbox: ${signal}, stopping\n`);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.stop();
  return 0;
}
