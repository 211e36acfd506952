import { Abandoned } from './lease-writes.js';
import { stopChild, type ChildExit, type RunningChild } from './runtimes/runtime.js';

export interface StopReason {
  kind: 'cancel' | 'timeout' | 'lost' | 'hand-back';
  message: string;
}

/**
 * Why one lease's run is being stopped, and the stopping of its command. A stop may come at any
 * step (a heartbeat says cancel, the lease is lost, the worker drains), before the command has
 * started or while it runs.
 */
export class LeaseStop {
  private current: StopReason | null = null;
  private child: RunningChild | null = null;
  private stopping: Promise<ChildExit> | null = null;

  constructor(private readonly killGraceMs: number) {}

  get reason(): StopReason | null {
    return this.current;
  }

  /** Settles once the command stopped here has exited; null when none was. */
  get childStopped(): Promise<ChildExit> | null {
    return this.stopping;
  }

  get handedBack(): boolean {
    return this.current?.kind === 'hand-back';
  }

  request(kind: StopReason['kind'], message: string): void {
    // A lost lease outranks a cancel or a timeout: nothing may be written for it any more.
    if (this.current && !(kind === 'lost' || kind === 'hand-back')) return;
    this.current = { kind, message };
    if (this.child && !this.stopping) this.stopping = stopChild(this.child, this.graceFor(kind));
  }

  /** The command has started: a stop asked for before it did applies now. */
  started(child: RunningChild): void {
    this.child = child;
    if (this.current) this.stopping = stopChild(child, this.graceFor(this.current.kind));
  }

  /** Throws Abandoned once the lease is lost or handed back: no step may write for it any more. */
  checkLease(): void {
    if (this.current?.kind === 'lost' || this.current?.kind === 'hand-back') throw new Abandoned(this.current.message);
  }

  // A lost lease's run is killed at once: another worker may already be running it.
  private graceFor(kind: StopReason['kind']): number {
    return kind === 'lost' ? 0 : this.killGraceMs;
  }
}
