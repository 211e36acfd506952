import type { SandboxAgentStatus } from '../../common/api/platforms.contract.js';
import { Backoff } from '../../lib/retry.js';
import type { AgentExit } from './agent-launcher.js';
import type { AgentProcess } from './child-processes.js';

export interface SupervisorOptions {
  /** Shown in the app ("services", "sandbox-w1"). */
  name: string;
  /** Starts one process of the agent; called again after every exit the supervisor did not ask for. */
  launch(): AgentProcess;
  /** Hears each announcement, the first and those after a restart. */
  onReady?(announcement: unknown): void;
  /** Hears why the agent went down and when it comes back. */
  log?(message: string): void;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

// The first restart is quick (a kill -9 or a crash is usually a one-off); each further death
// without a minute of life in between waits twice as long, so an agent that dies at start does
// not spin. It is never given up on: a sandbox without its services agent is no platform at all.
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

function describeExit(exit: AgentExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** One agent of the local sandbox, started again with backoff whenever it dies on its own. */
export class AgentSupervisor {
  private current: AgentProcess;
  private state: SandboxAgentStatus['state'] = 'starting';
  private restarts = 0;
  /** Counts deaths in a row, each within HEALTHY_AFTER_MS of its start. No jitter: one agent, no herd to spread. */
  private readonly backoff: Backoff;
  private startedAt = 0;
  private lastExit: SandboxAgentStatus['lastExit'] = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /** The first announcement (or why the agent never made one). */
  readonly ready: Promise<unknown>;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = new Backoff({ baseMs: options.firstDelayMs ?? FIRST_DELAY_MS, maxMs: options.maxDelayMs ?? MAX_DELAY_MS, jitter: 'none' });
    this.current = this.start();
    this.ready = this.current.ready;
  }

  status(): SandboxAgentStatus {
    return { name: this.options.name, state: this.state, restarts: this.restarts, lastExit: this.lastExit };
  }

  /** The process now running, if any. */
  pid(): number | undefined {
    return this.state === 'running' || this.state === 'starting' ? this.current.pid : undefined;
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    await this.current.stop(graceMs);
  }

  private start(): AgentProcess {
    const agent = this.options.launch();
    this.state = 'starting';
    this.startedAt = Date.now();
    agent.ready.then(
      (announcement) => {
        if (this.current !== agent || this.stopping) return;
        this.state = 'running';
        this.options.onReady?.(announcement);
      },
      () => undefined,
    );
    void agent.exited.then((exit) => this.onExit(agent, exit));
    return agent;
  }

  private onExit(agent: AgentProcess, exit: AgentExit): void {
    if (this.stopping || this.current !== agent) return;
    const now = Date.now();
    if (now - this.startedAt >= HEALTHY_AFTER_MS) this.backoff.succeed();
    const delay = this.backoff.fail();
    this.lastExit = { how: describeExit(exit), at: new Date(now).toISOString() };
    this.state = 'restarting';
    this.options.log?.(`the ${this.options.name} agent ${describeExit(exit)}; starting it again in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopping) return;
      this.restarts += 1;
      this.current = this.start();
    }, delay);
  }
}
