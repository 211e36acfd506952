import type { NextLeaseRequest } from '../../common/protocol/index.js';

/** An agent that refused `next` is asked again after this long: it may have been upgraded. */
export const NEXT_LEASE_REASK_MS = 10 * 60_000;

/**
 * What a completing run asks for its worker: the next lease in the same request (`next` on
 * complete), saving the worker a round trip per run. `request()` answers the lease request to
 * send, or undefined (draining, no room, or the agent does not take `next`).
 */
export interface NextLeaseAsk {
  request(): NextLeaseRequest | undefined;
  /** The agent refused `next` (400) and took the same completion without it: an agent from before the field. */
  refused(): void;
}

/**
 * Whether the services agent takes `next` on complete. There is no version to ask: an agent from
 * before the field refuses it as an unknown key (400), so the first refusal is the answer, kept
 * for NEXT_LEASE_REASK_MS.
 */
export class NextLeaseSupport {
  private refusedAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  get worthAsking(): boolean {
    return this.refusedAt === null || this.now() - this.refusedAt >= NEXT_LEASE_REASK_MS;
  }

  /** Answers whether this refusal is news (so the worker says it once, not per run). */
  refused(): boolean {
    const news = this.refusedAt === null;
    this.refusedAt = this.now();
    return news;
  }
}
