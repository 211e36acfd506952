import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type AgentName = 'services' | 'worker';

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started agent process, whatever started it (Node's spawn, Electron's utilityProcess). */
export interface LaunchedAgent {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /** Resolves once the process has exited, however it ended. */
  readonly exited: Promise<AgentExit>;
  /** Rejects if the process could not be started at all. */
  readonly failed: Promise<never>;
  /** Signals the agent and, where the launcher can, everything it started. */
  signalTree(signal: NodeJS.Signals): void;
  /** Signals the agent process alone (tests: a worker's drain on SIGTERM). */
  signal(signal: NodeJS.Signals): void;
}

export type AgentLauncher = (name: AgentName, args: readonly string[]) => LaunchedAgent;

/** Where an agent's code is: its TypeScript entry (sources) or the bundle of `npm run build`. */
export function agentEntry(name: AgentName): { kind: 'source' | 'bundle'; file: string } {
  const source = fileURLToPath(new URL(`../../agents/${name}/main.ts`, import.meta.url));
  if (existsSync(source)) return { kind: 'source', file: source };
  const bundle = fileURLToPath(new URL(`../agents/${name}.mjs`, import.meta.url));
  if (existsSync(bundle)) return { kind: 'bundle', file: bundle };
  throw new Error(`cannot find the ${name} agent: neither ${source} nor ${bundle} exists (run "npm run build")`);
}

/**
 * Node: each agent in its own process group, so that stopping it also stops what it started.
 * tsx is named by its absolute address, because `--import tsx` would be looked up from the
 * current folder, and `benchtop start` may be run from anywhere.
 */
export const nodeAgentLauncher: AgentLauncher = (name, args) => {
  const entry = agentEntry(name);
  const loader = entry.kind === 'source' ? ['--import', import.meta.resolve('tsx')] : [];
  const child = spawn(process.execPath, [...loader, entry.file, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<AgentExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  failed.catch(() => undefined);
  const send = (pid: number | undefined, signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    failed,
    signalTree: (signal) => send(child.pid === undefined ? undefined : -child.pid, signal),
    signal: (signal) => send(child.pid, signal),
  };
};
