/**
 * Wakes whoever waits on a key (a queue name, a run) when something new is there. Waiters hold no
 * data, only a resolver, and every wait has a timeout, so a follower that vanishes costs nothing.
 */
export class Notifier {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves true when notified, false after `timeoutMs`; `signal` ends the wait early. */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const waiters = set;
      const finish = (notified: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiting.get(key) === waiters) this.waiting.delete(key);
        resolve(notified);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      waiters.add(wake);
      if (signal?.aborted) finish(false);
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  notify(key: string): void {
    const set = this.waiting.get(key);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes only the longest waiter: one new run needs one worker, not a stampede of all of them. */
  notifyOne(key: string): void {
    const set = this.waiting.get(key);
    if (!set) return;
    const first = set.values().next().value;
    first?.();
  }

  waiterCount(key: string): number {
    return this.waiting.get(key)?.size ?? 0;
  }
}
