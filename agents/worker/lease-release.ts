import { PlatformError, type PlatformClient } from '../../lib/protocol/client.js';
import { retry } from '../../lib/retry.js';
import type { Lease } from '../../common/protocol/index.js';
import { isTransient } from './lease-writes.js';

/** How long a draining worker waits for the platform to take one lease back, retries included. */
export const RELEASE_DEADLINE_MS = 5_000;

/** A services agent from before the release route answers it as any unknown route. */
function isMissingRoute(error: unknown): boolean {
  return error instanceof PlatformError && error.status === 404 && error.message.startsWith('no route');
}

/**
 * Gives leases back to the platform (POST /leases/:id/release) so their runs are queued at once,
 * and a run that never started keeps its attempt, instead of waiting for the lease to lapse. Used
 * by a draining worker, whose exit must not wait long: each release is bounded by a short
 * deadline. A release that fails leaves the lease to lapse, as before the route existed, in one log
 * line; an older agent without the route is said once and not asked again by this process.
 */
export class LeaseReleaser {
  private routeMissing = false;

  constructor(
    private readonly client: Pick<PlatformClient, 'release'>,
    private readonly log: (message: string) => void,
    private readonly deadlineMs = RELEASE_DEADLINE_MS,
  ) {}

  /** Answers whether the platform took the lease back. Never rejects. */
  async release(lease: Pick<Lease, 'leaseId' | 'fencingToken' | 'runId'>, reason: string): Promise<boolean> {
    if (this.routeMissing) return false;
    const deadline = AbortSignal.timeout(this.deadlineMs);
    try {
      await retry(() => this.client.release(lease.leaseId, { fencingToken: lease.fencingToken, reason }, { signal: deadline }), {
        baseMs: 100,
        maxMs: 1_000,
        deadlineMs: this.deadlineMs,
        signal: deadline,
        retryable: isTransient,
      });
      this.log(`gave lease ${lease.leaseId} (run ${lease.runId}) back to the queue: ${reason}`);
      return true;
    } catch (error) {
      if (isMissingRoute(error)) {
        this.routeMissing = true;
        this.log(`the platform cannot take leases back (an older services agent): lease ${lease.leaseId} and any other this worker gives back go back to the queue when they lapse`);
      } else if (error instanceof PlatformError && error.status === 409) {
        this.log(`lease ${lease.leaseId} (run ${lease.runId}) was no longer this worker's to give back: ${error.message}`);
      } else {
        const why = deadline.aborted ? `no answer within ${this.deadlineMs} ms` : error instanceof Error ? error.message : String(error);
        this.log(`could not give lease ${lease.leaseId} (run ${lease.runId}) back (${why}); it goes back to the queue when it lapses`);
      }
      return false;
    }
  }
}
