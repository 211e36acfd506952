import { leaseSweepErrors } from './metrics.js';

export interface LeaseSweeperOptions {
  /** Expires lapsed leases; answers how many runs went back to their queue. */
  sweep(): Promise<number>;
  intervalMs: number;
  log(message: string): void;
  /** Failures in a row between two log lines saying the sweep still fails. */
  remindEvery?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Expires lapsed leases on a timer, so a run whose worker died goes back to its queue even when
 * no worker polls. A failing sweep (the database busy, full or broken) keeps the timer going and
 * is never silent: every failure is counted (benchtop_lease_sweep_errors_total), the first of a
 * streak is logged with its error, then one reminder every `remindEvery`, and the recovery; a
 * sweep failing every second does not fill the log.
 */
export class LeaseSweeper {
  private timer: NodeJS.Timeout | null = null;
  private failuresInARow = 0;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: LeaseSweeperOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      // A sweep slower than the interval is not overlapped by the next one.
      if (this.inFlight) return;
      this.inFlight = this.tick().finally(() => (this.inFlight = null));
    }, this.options.intervalMs).unref();
  }

  /** Stops the timer and waits for a sweep under way, so the database can be closed after it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** One sweep; never rejects. */
  async tick(): Promise<void> {
    try {
      await this.options.sweep();
    } catch (error) {
      leaseSweepErrors.total += 1;
      this.failuresInARow += 1;
      const n = this.failuresInARow;
      if (n === 1 || n % (this.options.remindEvery ?? 60) === 0) {
        this.options.log(`lease sweep failed (${n} in a row, one every ${this.options.intervalMs} ms): ${describe(error)}`);
      }
      return;
    }
    if (this.failuresInARow > 0) this.options.log(`lease sweep works again after ${this.failuresInARow} failures in a row`);
    this.failuresInARow = 0;
  }
}
