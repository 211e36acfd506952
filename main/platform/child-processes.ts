import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export type AgentName = 'services' | 'worker';

/**
 * How to start an agent from wherever this module runs: from the sources (`npx benchtop`, tests)
 * it is the TypeScript entry through tsx; from a build (dist/electron, dist/cli) it is the bundle
 * `npm run build` writes to dist/agents/.
 */
export function agentCommand(name: AgentName): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const source = fileURLToPath(new URL(`../../agents/${name}/main.ts`, import.meta.url));
  const bundle = fileURLToPath(new URL(`../agents/${name}.mjs`, import.meta.url));
  // Inside Electron, execPath is the app itself; this makes it behave as plain Node.
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  if (existsSync(source)) return { file: process.execPath, args: ['--import', 'tsx', source], env };
  if (existsSync(bundle)) return { file: process.execPath, args: [bundle], env };
  throw new Error(`cannot find the ${name} agent: neither ${source} nor ${bundle} exists (run "npm run build")`);
}

/** An agent in its own process group. */
export interface AgentProcess {
  readonly child: ChildProcess;
  /** The first stdout line, parsed as JSON (both agents announce themselves that way). */
  readonly ready: Promise<unknown>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
}

export function startAgent(name: AgentName, args: readonly string[], logFile: string, readyTimeoutMs = 60_000): AgentProcess {
  const command = agentCommand(name);
  const child = spawn(command.file, [...command.args, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
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
    const timer = setTimeout(() => reject(new Error(`the ${name} agent did not start within ${readyTimeoutMs} ms; see ${logFile}`)), readyTimeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`the ${name} agent printed "${line.slice(0, 200)}" instead of its JSON announcement; see ${logFile}`));
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(async ({ code, signal }) => {
      clearTimeout(timer);
      await new Promise<void>((done) => log.end(done));
      // The line that names the error, not the stack trace under it.
      const lines = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').map((l) => l.trim()).filter(Boolean);
      const said = lines.find((l) => /^(benchtop \w+:|worker:|\w*Error\b)/.test(l)) ?? lines.at(-1) ?? '';
      reject(new Error(`${name} agent exited (${signal ?? `code ${code}`}) before it was ready${said ? `: ${said}` : ''} (log: ${logFile})`));
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
