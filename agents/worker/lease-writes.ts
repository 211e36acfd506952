import { PlatformError, type PlatformClient } from '../../lib/protocol/client.js';
import { retry, type BackoffPolicy } from '../../lib/retry.js';
import type { CompleteRequest, CompleteResponse, FileEntry, Lease } from '../../common/protocol/index.js';

/** The lease is no longer this worker's, or the platform is out of reach: write nothing more and leave the run to the queue. */
export class Abandoned extends Error {}

/** A network failure or a 5xx: worth retrying, and no verdict on the run. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof PlatformError)) return false;
  return error.status === 0 || error.status >= 500;
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

/** The platform refused the request itself (4xx): sending it again changes nothing. */
function isClientError(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

export interface WritePolicy extends BackoffPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
}

export const UPLOAD_RETRY: WritePolicy = { baseMs: 100, maxMs: 2_000, maxAttempts: 9 };
// Completion is retried for longer: by then the run's work is done, and losing it costs a rerun.
export const COMPLETE_RETRY: WritePolicy = { baseMs: 100, maxMs: 2_000, maxAttempts: 21 };

export interface LeaseWriter {
  client: Pick<PlatformClient, 'uploadResult' | 'complete'>;
  leaseId: string;
  fencingToken: number;
  /** Throws Abandoned once the lease is lost or handed back; asked before every attempt. */
  checkLease(): void;
}

/**
 * Uploads one result file, retrying network failures and 5xx. `body` is asked for a stream per
 * attempt: a stream is read once, so a retry needs a fresh one.
 */
export function uploadResultFile(writer: LeaseWriter, file: FileEntry, body: (attempt: number) => ReadableStream<Uint8Array>, policy: WritePolicy = UPLOAD_RETRY): Promise<unknown> {
  return retry(
    async (attempt) => {
      writer.checkLease();
      try {
        return await writer.client.uploadResult(writer.leaseId, file.path, { fencingToken: writer.fencingToken, sha256: file.sha256, body: body(attempt) });
      } catch (error) {
        if (statusOf(error) === 409) throw new Abandoned(`the platform refused result ${file.path} (409): the lease is stale`);
        throw error;
      }
    },
    { ...policy, retryable: isTransient },
  );
}

async function sendCompletion(writer: LeaseWriter, body: CompleteRequest): Promise<CompleteResponse> {
  try {
    return await writer.client.complete(writer.leaseId, body);
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 404) throw new Abandoned(`the platform refused completion (${status}): the lease is stale`);
    throw error;
  }
}

/**
 * Completes the lease; answers the next lease when `body.next` asked for one and the platform
 * handed one on. Completing twice with the same body is safe (a retry is answered the same next
 * lease), so anything but a refusal (4xx) is retried until the lease would have expired anyway.
 * A 400 to a completion with `next` is sent again at once without it: an agent from before the
 * field refuses it as unknown, and nothing was written. If that one is taken, `nextRefused` is told.
 */
export async function completeLease(writer: LeaseWriter, body: CompleteRequest, policy: WritePolicy = COMPLETE_RETRY, nextRefused?: () => void): Promise<Lease | null> {
  let sending = body;
  return retry(
    async () => {
      writer.checkLease();
      try {
        return (await sendCompletion(writer, sending)).nextLease ?? null;
      } catch (error) {
        if (!sending.next || statusOf(error) !== 400) throw error;
        sending = { ...sending, next: undefined };
        await sendCompletion(writer, sending);
        nextRefused?.();
        return null;
      }
    },
    { ...policy, retryable: (error) => !(error instanceof Abandoned) && !isClientError(error) },
  );
}
