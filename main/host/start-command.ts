import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBrowserMode } from './browser-mode.js';
import { writeRedirectFile } from './redirect-file.js';

const USAGE = `usage: benchtop start [--port N] [--data DIR] [--json] [--no-open]

Starts Benchtop in browser mode: the app and its API on http://127.0.0.1, and prints the address
to open. Its token is made for this launch and signs one browser tab in, once; that tab stays
signed in across reloads.

  --port N     listen on port N (default: a free port)
  --data DIR   keep settings and secrets in DIR (default: $BENCHTOP_HOME or the OS app-data folder)
  --json       print {"url": "..."} as the first line of stdout (for scripts)
  --no-open    do not open the default browser
`;

function parse(argv: string[]): { port?: number; data?: string; json: boolean; open: boolean } | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-open': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return '';
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port < 1 || port > 65_535) return `--port must be a number from 1 to 65535, not "${values.port}"`;
  }
  if (values.data !== undefined && values.data.trim() === '') return '--data needs a folder';
  return {
    ...(port !== undefined ? { port } : {}),
    ...(values.data !== undefined ? { data: path.resolve(values.data) } : {}),
    json: values.json,
    open: !values['no-open'],
  };
}

/** Opens a local file (the redirect page), so the token never is on a command line. */
function openInBrowser(file: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [file]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', file]] : ['xdg-open', [file]];
  const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
  // No browser opener (a headless machine): the printed URL is enough.
  child.on('error', () => undefined);
  child.unref();
}

export async function run(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    if (options === '') {
      process.stdout.write(USAGE);
      return 0;
    }
    process.stderr.write(`benchtop start: ${options}\n\n${USAGE}`);
    return 2;
  }

  // Also for whatever this process starts later (the local sandbox reads the same folder).
  if (options.data) process.env.BENCHTOP_HOME = options.data;
  let mode;
  try {
    mode = await startBrowserMode({ ...(options.port !== undefined ? { port: options.port } : {}), ...(options.data ? { dataDir: options.data } : {}) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'EADDRINUSE' ? `port ${options.port} is already in use; pick another with --port or leave it out` : e.message;
    process.stderr.write(`benchtop start: cannot start: ${reason}\n`);
    return 1;
  }

  process.stdout.write(options.json ? `${JSON.stringify({ url: mode.url })}\n` : `${mode.url}\n`);
  process.stderr.write(`Benchtop is running in browser mode (data in ${mode.dataDir}). Ctrl+C stops it.\n`);
  const redirect = options.open ? writeRedirectFile(mode.dataDir, mode.url) : undefined;
  if (redirect) {
    process.stderr.write(`Opening it in your browser through ${redirect.path}. The address above signs one tab in, once: if the browser did not open, open the address yourself.\n`);
    openInBrowser(redirect.path);
  } else {
    process.stderr.write('Open the address above (it signs one tab in, once).\n');
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stderr.write(`benchtop: ${signal}, stopping\n`);
  redirect?.remove();
  await mode.stop();
  return 0;
}
