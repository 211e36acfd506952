import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';

/** A TypeScript entry run by Node through tsx, in its own process group. */
export interface AgentProcess {
  readonly child: ChildProcess;
  /** The first stdout line, parsed as JSON (both agents announce themselves that way). */
  readonly ready: Promise<unknown>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
}

export function startAgent(entry: string, args: readonly string[], logFile: string, readyTimeoutMs = 60_000): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  child.stderr?.pipe(log);
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitState = { code, signal };
      resolve(exitState);
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within ${readyTimeoutMs} ms; see ${logFile}`)), readyTimeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`${entry} printed "${line.slice(0, 200)}" instead of its JSON announcement; see ${logFile}`));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(async ({ code, signal }) => {
      clearTimeout(timer);
      await new Promise<void>((done) => log.end(done));
      const said = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' / ');
      reject(new Error(`${basename(dirname(entry))} agent exited (${signal ?? `code ${code}`}) before it was ready${said ? `: ${said}` : ''} (log: ${logFile})`));
    });
  });
  ready.catch(() => undefined);
  // Later stdout lines are diagnostics; keep them with stderr. The first one is the announcement,
  // which may carry tokens, so it stays out of the log.
  let announced = false;
  lines.on('line', (line) => {
    if (announced) log.write(`${line}\n`);
    announced = true;
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // Already gone.
    }
  };
  return {
    child,
    ready,
    exited,
    async stop(graceMs: number) {
      if (exitState) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Anything the agent left behind in its group goes too.
      signalGroup('SIGKILL');
    },
  };
}
