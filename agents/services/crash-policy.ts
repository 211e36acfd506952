import { unhandledErrors } from './metrics.js';

export interface CrashPolicyOptions {
  /** Names the process in each line ("benchtop services"). */
  agent: string;
  write?: (line: string) => void;
  exit?: (code: number) => never;
}

/** sysexits.h EX_SOFTWARE: an internal software error. */
export const CRASH_EXIT_CODE = 70;

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `a non-error value: ${String(error)}`;
}

/**
 * What the agent does with an error no code handled; Node's default ends the process on both.
 *
 * - An unhandled rejection is logged, counted in /metrics (`benchtop_unhandled_errors_total`)
 *   and the agent goes on. Nobody waits for that promise: the code that made it has already
 *   returned, nothing was unwound half-way, so shared state is as that code left it. It is a
 *   bug to fix, and the counter makes it visible, but ending the process for it handed any client
 *   able to provoke one (hanging up mid-download did) a way to stop the platform for everybody.
 * - An uncaught exception is logged and counted, then the agent exits with 70. A synchronous
 *   throw that reached the event loop unwound through code that did not expect it, possibly
 *   half-way through changing shared state (maps of leases and locks, a stream, a batch of
 *   writes): Node documents that resuming then is unsafe. What was acknowledged is on disk (WAL,
 *   synchronous=FULL) and the supervisor (the sandbox, systemd) starts the agent again.
 */
export function installCrashPolicy(options: CrashPolicyOptions): void {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const context = () => `pid ${process.pid}, up ${Math.round(process.uptime())} s`;
  process.on('unhandledRejection', (reason) => {
    const n = ++unhandledErrors.rejection;
    write(`${options.agent}: unhandled rejection #${n} (${context()}); going on: ${describe(reason)}\n`);
  });
  process.on('uncaughtException', (error, origin) => {
    const n = ++unhandledErrors.exception;
    write(`${options.agent}: uncaught exception #${n} (${origin}, ${context()}); exiting with ${CRASH_EXIT_CODE}, state may be corrupt: ${describe(error)}\n`);
    exit(CRASH_EXIT_CODE);
  });
}
