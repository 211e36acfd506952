/** How long to wait between polls and in all. Tests pass `pollMs: 0`. */
export interface Timing {
  pollMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export const DEFAULT_TIMING: Timing = { pollMs: 3000, timeoutMs: 3 * 60 * 60 * 1000 };

/** A deadline every polling loop checks, so none of them can spin forever. */
export function deadline(timing: Timing): () => boolean {
  const end = Date.now() + timing.timeoutMs;
  return () => Date.now() > end;
}

/** BENCHTOP_DEPLOY_POLL_MS lets tests and emulators poll faster than AWS needs. */
export function timingFromEnv(env: NodeJS.ProcessEnv = process.env): Timing {
  const raw = env.BENCHTOP_DEPLOY_POLL_MS;
  const poll = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return { ...DEFAULT_TIMING, pollMs: Number.isFinite(poll) && poll >= 0 ? poll : DEFAULT_TIMING.pollMs };
}
