import { describe, expect, it, vi } from 'vitest';
import { Backoff, backoffDelay, retry } from './retry.js';

describe('retry', () => {
  it('doubles the ceiling up to the cap, and full jitter draws below it', () => {
    const none = { baseMs: 100, maxMs: 1000, jitter: 'none' as const };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, none))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
  });

  it('retries what is retryable until it succeeds, passing the attempt number', async () => {
    const seen: number[] = [];
    const value = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 2) throw new Error('flaky');
        return 'ok';
      },
      { baseMs: 1, maxMs: 2, maxAttempts: 5 },
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('throws at once an error that is not retryable, and the last error when attempts run out', async () => {
    const fatal = vi.fn(async () => {
      throw Object.assign(new Error('stale'), { status: 409 });
    });
    await expect(retry(fatal, { baseMs: 1, maxMs: 1, maxAttempts: 9, retryable: (e) => (e as { status?: number }).status !== 409 })).rejects.toThrow('stale');
    expect(fatal).toHaveBeenCalledTimes(1);
    const flaky = vi.fn(async () => {
      throw new Error('down');
    });
    await expect(retry(flaky, { baseMs: 1, maxMs: 1, maxAttempts: 3 })).rejects.toThrow('down');
    expect(flaky).toHaveBeenCalledTimes(3);
  });

  it('stops at the deadline and never waits past it', async () => {
    let clock = 0;
    const delays: number[] = [];
    const fn = vi.fn(async () => {
      clock += 40;
      throw new Error('slow');
    });
    await expect(retry(fn, { baseMs: 1000, maxMs: 1000, jitter: 'none', deadlineMs: 100, now: () => clock, onRetry: (_e, _a, d) => delays.push(d) })).rejects.toThrow('slow');
    expect(delays.every((d) => d <= 100)).toBe(true);
    expect(fn.mock.calls.length).toBeLessThan(5);
  });

  it('refuses a policy that could loop forever', async () => {
    await expect(retry(async () => 1, { baseMs: 1, maxMs: 1 })).rejects.toThrow(/maxAttempts or deadlineMs/);
  });

  it('Backoff grows with consecutive failures and starts over after a success', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 5000, jitter: 'none' });
    expect([b.fail(), b.fail(), b.fail()]).toEqual([100, 200, 400]);
    b.succeed();
    expect(b.fail()).toBe(100);
  });
});
