import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../lib/protocol/client.js';
import { Abandoned, COMPLETE_RETRY, completeLease, UPLOAD_RETRY, uploadResultFile, type LeaseWriter } from './lease-writes.js';

// The real attempt limits, without the waits between attempts.
const upload = { ...UPLOAD_RETRY, random: () => 0 };
const complete = { ...COMPLETE_RETRY, random: () => 0 };
const file = { path: 'out/a.csv', size: 3, sha256: 'a'.repeat(64) };
const down = () => new PlatformError(0, 'network', 'fetch failed');
const refused = (status: number) => new PlatformError(status, 'bad-input', `refused with ${status}`);

/** A platform whose answers the test scripts, attempt by attempt (the last one repeats). */
function writer(failures: Array<Error | null>, checkLease: () => void = () => undefined) {
  const calls: Array<{ leaseId: string; body?: unknown }> = [];
  const answer = async () => {
    const failure = failures[Math.min(calls.length - 1, failures.length - 1)];
    if (failure) throw failure;
    return {};
  };
  const w: LeaseWriter = {
    leaseId: 'lse_1',
    fencingToken: 7,
    checkLease,
    client: {
      uploadResult: async (leaseId, _path, upload) => {
        calls.push({ leaseId, body: upload.body });
        return answer() as never;
      },
      complete: async (leaseId, body) => {
        calls.push({ leaseId, body });
        return answer() as never;
      },
    },
  };
  return { w, calls };
}

const stream = (attempt: number) => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([attempt])), c.close()) });

describe('result uploads', () => {
  it('retries a network failure or a 5xx with a fresh body each attempt', async () => {
    const { w, calls } = writer([down(), refused(503), null]);
    const bodies: number[] = [];
    await uploadResultFile(w, file, (attempt) => (bodies.push(attempt), stream(attempt)), upload);
    expect(calls).toHaveLength(3);
    expect(bodies).toEqual([0, 1, 2]);
  });

  it('gives up after 9 attempts in all, with the last error', async () => {
    const { w, calls } = writer([down()]);
    await expect(uploadResultFile(w, file, stream, upload)).rejects.toThrow('fetch failed');
    expect(calls).toHaveLength(9);
  });

  it('abandons the lease on 409 and does not retry another 4xx', async () => {
    const stale = writer([refused(409)]);
    await expect(uploadResultFile(stale.w, file, stream, upload)).rejects.toBeInstanceOf(Abandoned);
    expect(stale.calls).toHaveLength(1);
    const bad = writer([refused(413)]);
    await expect(uploadResultFile(bad.w, file, stream, upload)).rejects.toThrow('refused with 413');
    expect(bad.calls).toHaveLength(1);
  });
});

describe('completion', () => {
  it('retries anything but a refusal, 21 attempts in all', async () => {
    const { w, calls } = writer([new Error('socket hang up'), refused(502), down()]);
    await expect(completeLease(w, { fencingToken: 7, state: 'succeeded', exitCode: 0 }, complete)).rejects.toThrow('fetch failed');
    expect(calls).toHaveLength(21);
  });

  it('abandons the lease on 409 or 404, and throws another 4xx at once', async () => {
    for (const status of [409, 404]) {
      const { w, calls } = writer([refused(status)]);
      await expect(completeLease(w, { fencingToken: 7, state: 'failed', exitCode: 1 }, complete)).rejects.toBeInstanceOf(Abandoned);
      expect(calls).toHaveLength(1);
    }
    const { w, calls } = writer([refused(400)]);
    await expect(completeLease(w, { fencingToken: 7, state: 'failed', exitCode: 1 }, complete)).rejects.toThrow('refused with 400');
    expect(calls).toHaveLength(1);
  });

  it('checks the lease before every attempt and stops once it is lost', async () => {
    let lost = false;
    const { w, calls } = writer([down(), down(), null], () => {
      if (lost) throw new Abandoned('lost');
    });
    w.client.complete = async () => {
      calls.push({ leaseId: 'lse_1' });
      if (calls.length === 2) lost = true;
      throw down();
    };
    await expect(completeLease(w, { fencingToken: 7, state: 'succeeded', exitCode: 0 }, complete)).rejects.toThrow('lost');
    expect(calls).toHaveLength(2);
  });
});
