import path from 'node:path';
import type { ForkOptions, UtilityProcess } from 'electron';
import type { AgentExit, AgentLauncher } from '../platform/agent-launcher.js';

type Fork = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess;

/**
 * The desktop app starts the local sandbox's agents as Electron utility processes: with the
 * RunAsNode fuse off, the app binary cannot be used as plain Node, and the native modules inside
 * the app are built for Electron's ABI. The agents are the bundles of `npm run build`
 * (dist/agents/*.mjs, inside app.asar next to main.cjs).
 */
export function utilityAgentLauncher(fork: Fork, agentsDir: string): AgentLauncher {
  return (name, args) => {
    const child = fork(path.join(agentsDir, `${name}.mjs`), [...args], { stdio: 'pipe', serviceName: `Benchtop ${name} agent` });
    const { stdout, stderr } = child;
    if (!stdout || !stderr) throw new Error(`the ${name} agent was started without its output pipes`);
    const exited = new Promise<AgentExit>((resolve) => child.once('exit', (code) => resolve({ code, signal: null })));
    const failed = new Promise<never>((_, reject) =>
      child.once('error', (type, location) => reject(new Error(`the ${name} agent failed (${type}) at ${location}`))),
    );
    failed.catch(() => undefined);
    // A utility process is no group leader: a signal reaches the agent, which ends its own runs.
    const send = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    return {
      get pid() {
        return child.pid;
      },
      stdout,
      stderr,
      exited,
      failed,
      signalTree: send,
      signal: send,
    };
  };
}
