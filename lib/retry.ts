// The one retry and backoff policy of Benchtop: exponential delays with full jitter (so many
// workers that failed together do not retry together), a cap, and a deadline or attempt limit so
// no loop can spin forever. https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/

export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in ms; each further retry doubles it. */
  baseMs: number;
  /** No single delay is longer than this. */
  maxMs: number;
  /** `full` (the default) draws each delay uniformly in [0, ceiling]; `none` waits the ceiling. */
  jitter?: 'full' | 'none';
  /** For tests: a source of numbers in [0, 1). */
  random?: () => number;
}

/** The delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  if (policy.jitter === 'none') return ceiling;
  return Math.floor((policy.random ?? Math.random)() * (ceiling + 1));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Consecutive failures of a long-running loop (lease polling, log following): ask for the next delay, reset on success. */
export class Backoff {
  private failures = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  /** Counts one more failure and answers how long to wait before trying again. */
  fail(): number {
    return backoffDelay(this.failures++, this.policy);
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

export interface RetryOptions extends BackoffPolicy {
  /** Give up after this many attempts in all (the first one included). */
  maxAttempts?: number;
  /** Give up once this many ms have passed since the first attempt; a wait never overshoots it. */
  deadlineMs?: number;
  /** Whether an error is worth another attempt; errors it refuses are thrown at once. */
  retryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Runs `fn` until it resolves, an error is not retryable, or the attempts or the deadline run out;
 * then throws the last error. `fn` gets the attempt number (0 first), e.g. to re-open a stream.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  if (options.maxAttempts === undefined && options.deadlineMs === undefined) {
    throw new Error('retry needs maxAttempts or deadlineMs, so that it ends');
  }
  const now = options.now ?? Date.now;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.retryable && !options.retryable(error)) throw error;
      if (options.maxAttempts !== undefined && attempt + 1 >= options.maxAttempts) throw error;
      let delay = backoffDelay(attempt, options);
      if (options.deadlineMs !== undefined) {
        const left = started + options.deadlineMs - now();
        if (left <= 0) throw error;
        delay = Math.min(delay, left);
      }
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
