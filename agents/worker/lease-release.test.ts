import { describe, expect, it } from 'vitest';
import { PlatformError, type PlatformClient } from '../../lib/protocol/client.js';
import { LeaseReleaser } from './lease-release.js';

const lease = { leaseId: 'lse_00000000000000000001', runId: 'run_00000000000000000001', fencingToken: 7 };

/** A platform whose answers to release the test scripts, call by call (the last one repeats). */
function platform(answers: Array<Error | 'ok' | 'hang'>) {
  const calls: Array<{ leaseId: string; body: unknown }> = [];
  const client: Pick<PlatformClient, 'release'> = {
    release: (leaseId, body, options) => {
      calls.push({ leaseId, body });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      if (answer === 'hang') {
        // As fetch does: only the caller's signal ends a request the platform never answers.
        return new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(new PlatformError(0, 'network', 'aborted')), { once: true }));
      }
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ run: {} as never, attemptCounted: false });
    },
  };
  return { client, calls };
}

describe('giving a lease back', () => {
  it('sends the lease token and the reason; a network failure is retried', async () => {
    const { client, calls } = platform([new PlatformError(0, 'network', 'ECONNRESET'), 'ok']);
    const log: string[] = [];
    expect(await new LeaseReleaser(client, (m) => log.push(m)).release(lease, 'draining')).toBe(true);
    expect(calls).toEqual([
      { leaseId: lease.leaseId, body: { fencingToken: 7, reason: 'draining' } },
      { leaseId: lease.leaseId, body: { fencingToken: 7, reason: 'draining' } },
    ]);
    expect(log).toEqual([`gave lease ${lease.leaseId} (run ${lease.runId}) back to the queue: draining`]);
  });

  it('an agent without the route: said once, and not asked again', async () => {
    const { client, calls } = platform([new PlatformError(404, 'not-found', `no route POST /api/v1/leases/${lease.leaseId}/release`)]);
    const log: string[] = [];
    const releaser = new LeaseReleaser(client, (m) => log.push(m));
    expect(await releaser.release(lease, 'draining')).toBe(false);
    expect(await releaser.release({ ...lease, leaseId: 'lse_00000000000000000002' }, 'draining')).toBe(false);
    expect(calls).toHaveLength(1);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/cannot take leases back \(an older services agent\).*lapse/);
  });

  it('a lease that is over (409) is not retried and says whose it was', async () => {
    const { client, calls } = platform([new PlatformError(409, 'conflict', 'lease lse_1 is expired; stop this run and take a new lease')]);
    const log: string[] = [];
    expect(await new LeaseReleaser(client, (m) => log.push(m)).release(lease, 'draining')).toBe(false);
    expect(calls).toHaveLength(1);
    expect(log).toEqual([`lease ${lease.leaseId} (run ${lease.runId}) was no longer this worker's to give back: lease lse_1 is expired; stop this run and take a new lease`]);
  });

  it('a platform that does not answer: given up at the deadline, the lease left to lapse', async () => {
    const { client } = platform(['hang']);
    const log: string[] = [];
    expect(await new LeaseReleaser(client, (m) => log.push(m), 200).release(lease, 'draining')).toBe(false);
    expect(log).toEqual([`could not give lease ${lease.leaseId} (run ${lease.runId}) back (no answer within 200 ms); it goes back to the queue when it lapses`]);
  });
});
