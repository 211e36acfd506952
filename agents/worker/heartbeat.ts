import type { HeartbeatRequest, HeartbeatResponse, ResolvedEnvironment, RunIsolation } from '../../common/protocol/index.js';

export interface HeartbeatOptions {
  send(body: HeartbeatRequest): Promise<HeartbeatResponse>;
  fencingToken: number;
  heartbeatMs: number;
  expiresAt: string;
  onCancel(): void;
  /** The lease is gone: the server said 409, or it expired while the server was unreachable. */
  onLost(reason: string): void;
}

/**
 * Keeps a lease alive. Beats twice per `heartbeatMs` so one lost request does not cost the lease,
 * and once at once when the command starts (which is what marks the run running).
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private expiresAt: number;
  private started = false;
  private isolation: RunIsolation | undefined;
  /** Sent with the started beats until one is answered: a lock list can be long, and the platform keeps it. */
  private environment: ResolvedEnvironment | undefined;
  private stopped = false;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: HeartbeatOptions) {
    this.expiresAt = Date.parse(options.expiresAt);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat(), Math.max(this.options.heartbeatMs / 2, 10));
  }

  /** Marks the run started on the server right away, with how it is confined and what it executes in. */
  markStarted(isolation: RunIsolation, environment?: ResolvedEnvironment): void {
    this.started = true;
    this.isolation = isolation;
    this.environment = environment;
    if (this.timer) clearTimeout(this.timer);
    void (this.inFlight ?? Promise.resolve()).then(() => this.beat());
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      try {
        const environment = this.environment;
        const answer = await this.options.send({ fencingToken: this.options.fencingToken, started: this.started, ...(this.isolation ? { isolation: this.isolation } : {}), ...(environment ? { environment } : {}) });
        if (this.environment === environment) this.environment = undefined;
        this.expiresAt = Date.parse(answer.expiresAt);
        if (answer.cancel && !this.stopped) this.options.onCancel();
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 409 || status === 404) return this.lose(`the platform refused the lease (${status}): another worker owns the run now`);
        if (Date.now() > this.expiresAt) return this.lose(`the lease expired while the platform was unreachable (${(error as Error).message})`);
      } finally {
        this.inFlight = null;
      }
      if (this.timer) clearTimeout(this.timer);
      this.schedule();
    })();
    return this.inFlight;
  }

  private lose(reason: string): void {
    if (this.stopped) return;
    this.stop();
    this.options.onLost(reason);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
