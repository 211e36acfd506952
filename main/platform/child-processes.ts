import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type AgentExit, type AgentLauncher, type AgentName, nodeAgentLauncher } from './agent-launcher.js';
import { createRotatingLogFile } from './rotating-log-file.js';

/** A supervised agent: its announcement, its exit, and a stop that always ends it. */
export interface AgentProcess {
  readonly pid: number | undefined;
  /** The first stdout line, parsed as JSON (both agents announce themselves that way). */
  readonly ready: Promise<unknown>;
  readonly exited: Promise<AgentExit>;
  isRunning(): boolean;
  /** Signals the agent process alone. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM to the agent and what it started, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
}

/** How long an exited agent's output may take to reach its log. */
const OUTPUT_DRAIN_MS = 2_000;

function streamEnded(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((done) => {
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', () => done());
  });
}

/** A line of the agent's logger (pino: a numeric level and a time), printed before the announcement at info level. */
function isLogRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { level?: unknown }).level === 'number' && typeof (value as { time?: unknown }).time === 'number';
}

export function startAgent(
  name: AgentName,
  args: readonly string[],
  logFile: string,
  options: { readyTimeoutMs?: number; launcher?: AgentLauncher } = {},
): AgentProcess {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const agent = (options.launcher ?? nodeAgentLauncher)(name, args);
  // Rotated by size (10 MiB × 3 files), so an agent logging at info keeps the disk bounded.
  const log = createRotatingLogFile(logFile);
  // Not ended by stderr's end: stdout's last lines may come after it, and `exited` ends the log.
  agent.stderr.pipe(log, { end: false });
  // The log is closed once the agent exits, while its pipes may still hold its last lines: those are
  // dropped rather than written after the end (an 'error' no one handles would end the app), as are
  // lines a log that cannot be written loses; stderr is drained even so, or the agent would block on it.
  log.on('error', () => agent.stderr.resume());
  const toLog = (line: string) => void (log.writableEnded ? undefined : log.write(`${line}\n`));
  let exitState: AgentExit | null = null;
  const outputEnded = Promise.all([streamEnded(agent.stdout), streamEnded(agent.stderr)]);
  // The exit is reported while the pipes may still hold the agent's last words (a stop's goodbye, a
  // crash's stack): `exited` waits for them to reach the log. A process the agent started that
  // outlived it keeps the pipes open, so that wait is bounded.
  const exited = agent.exited.then(async (state) => {
    exitState = state;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([outputEnded, new Promise<void>((done) => (timer = setTimeout(done, OUTPUT_DRAIN_MS)))]);
    clearTimeout(timer);
    await new Promise<void>((done) => log.end(() => done()));
    return state;
  });
  const lines = createInterface({ input: agent.stdout });
  const ready = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${name} agent did not start within ${readyTimeoutMs} ms; see ${logFile}`)), readyTimeoutMs);
    // The announcement is the first stdout line that is not a log record; it may carry tokens, so
    // it stays out of the log. Every other stdout line is a diagnostic, kept with stderr.
    let announced = false;
    lines.on('line', (line) => {
      if (announced) return toLog(line);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        announced = true;
        clearTimeout(timer);
        reject(new Error(`the ${name} agent printed "${line.slice(0, 200)}" instead of its JSON announcement; see ${logFile}`));
        return;
      }
      if (isLogRecord(value)) return toLog(line);
      announced = true;
      clearTimeout(timer);
      resolve(value);
    });
    agent.failed.catch((error: unknown) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(async ({ code, signal }) => {
      clearTimeout(timer);
      // The line that names the error, not the stack trace under it.
      const lines = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').map((l) => l.trim()).filter(Boolean);
      const said = lines.find((l) => /^(benchtop \w+:|worker:|\w*Error\b)/.test(l)) ?? lines.at(-1) ?? '';
      reject(new Error(`${name} agent exited (${signal ?? `code ${code}`}) before it was ready${said ? `: ${said}` : ''} (log: ${logFile})`));
    });
  });
  ready.catch(() => undefined);
  return {
    pid: agent.pid,
    ready,
    exited,
    isRunning: () => exitState === null,
    signal: (signal) => agent.signal(signal),
    async stop(graceMs: number) {
      if (exitState) return;
      agent.signalTree('SIGTERM');
      const timer = setTimeout(() => agent.signalTree('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Anything the agent left behind in its group goes too.
      agent.signalTree('SIGKILL');
    },
  };
}
