import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

const readyLine = z.object({ url: z.string(), adminToken: z.string(), workerToken: z.string(), researcherToken: z.string(), pid: z.number() });

export interface ServicesProcess {
  child: ChildProcess;
  url: string;
  adminToken: string;
  workerToken: string;
  researcherToken: string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | string | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `agents/services/main.ts` as its own process and waits for its ready line. */
export async function spawnServices(dataDir: string, extraArgs: string[] = [], timeoutMs = 60_000): Promise<ServicesProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--data', dataDir, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 8192) stderr += d;
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`services did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`services exited (${code}) before listening: ${stderr}`));
    });
  }).catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
  const ready = readyLine.parse(JSON.parse(first));
  return {
    child,
    ...ready,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
