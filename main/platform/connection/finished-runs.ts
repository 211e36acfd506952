import type { PlatformClient } from '../../../lib/protocol/client.js';
import { FINISHED_STATES, type Run } from '../../../common/protocol/index.js';

type Listener = (run: Run) => void;

/**
 * Watches the runs launched from this app until they finish, so the window can notify the user.
 * Each run keeps the client of the platform it was launched on: switching platforms does not lose
 * it. Polls only while there is something to watch and someone listening.
 */
export class FinishedRunsWatcher {
  private readonly tracked = new Map<string, PlatformClient>();
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;

  constructor(private readonly intervalMs = 2000) {}

  track(runId: string, client: PlatformClient): void {
    this.tracked.set(runId, client);
    this.schedule();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.tracked.clear();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer || this.polling || this.tracked.size === 0 || this.listeners.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    try {
      await Promise.all(
        [...this.tracked].map(async ([id, client]) => {
          let run: Run;
          try {
            run = await client.getRun(id);
          } catch (error) {
            // A run the platform no longer knows will never finish; one that cannot be reached now may later.
            if ((error as { status?: number }).status === 404) this.tracked.delete(id);
            return;
          }
          if (!FINISHED_STATES.includes(run.state)) return;
          this.tracked.delete(id);
          for (const listener of this.listeners) listener(run);
        }),
      );
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
