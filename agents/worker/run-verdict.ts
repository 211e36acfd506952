import type { CompleteRequest, ResultsManifest } from '../../common/protocol/index.js';
import type { StopReason } from './lease-stop.js';
import type { ChildExit } from './runtimes/runtime.js';

export type CompletionBase = Omit<CompleteRequest, 'state' | 'results' | 'error'>;

/** How a command that ran to its exit ended, as the lease's completion says it: a stop's reason outranks the exit code. */
export function runVerdict(base: CompletionBase, exit: ChildExit, reason: StopReason | null, results: ResultsManifest): CompleteRequest {
  if (reason?.kind === 'cancel') return { ...base, state: 'cancelled', results, error: reason.message };
  if (reason?.kind === 'timeout') return { ...base, state: 'failed', results, error: reason.message };
  if (exit.exitCode === 0) return { ...base, state: 'succeeded', results };
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  return { ...base, state: 'failed', results, error: `the command ${how}` };
}
