import { z } from 'zod';
import { id } from './common.js';
import { runState } from './runs.js';

/**
 * POST /api/v1/runs/:id/terminal — where a running run lives, for a terminal into it. Only the
 * run's owner, a PI or an admin may ask, and each answer is recorded in the audit trail
 * (action `run.terminal-opened`, target the run).
 */
export const runTerminalTarget = z.object({
  runId: id,
  state: runState,
  /** The worker holding the run: its instance id on AWS, its name in the local sandbox. */
  workerId: z.string(),
  /** `docker`: a container on the worker; `process`: a process (bubblewrap-confined or not) on the worker's host. */
  runtime: z.enum(['docker', 'process']),
  /**
   * The docker runtime names each run's container `benchtop-<runId>-<worker pid>-<time>`
   * (agents/worker/runtimes/docker-runtime.ts), so the run's container is the one with this prefix.
   */
  containerNamePrefix: z.string(),
  /** How the run is confined, as its worker reported it; null if it did not say yet. */
  isolation: z.enum(['container', 'bubblewrap', 'sandbox-exec', 'none']).nullable(),
});
export type RunTerminalTarget = z.infer<typeof runTerminalTarget>;

export const RUN_TERMINAL_AUDIT_ACTION = 'run.terminal-opened';
