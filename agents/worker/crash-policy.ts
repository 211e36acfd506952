/** sysexits.h EX_SOFTWARE: an internal software error. */
export const CRASH_EXIT_CODE = 70;

/** Errors no code handled since this worker started; each log line carries the running count. */
export const unhandledErrors = { rejection: 0, exception: 0 };

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `a non-error value: ${String(error)}`;
}

/**
 * What the worker does with an error no code handled (the worker has no /metrics of its own, so
 * its log is where they are counted; the services agent's crash-policy.ts is the same policy):
 *
 * - An unhandled rejection is logged and the worker goes on: nobody waits for that promise, the
 *   code that made it has returned, nothing was unwound half-way. Exiting would also end the run
 *   in progress, which would then lapse and be retried elsewhere for a bug that did not touch it.
 * - An uncaught exception is logged, then the worker exits with 70: the throw unwound through code
 *   that did not expect it, possibly half-way through a lease (heartbeat, log shipping, results),
 *   and Node documents that resuming then is unsafe. The lease lapses and the run is retried; the
 *   sandbox (or systemd on AWS) starts the worker again.
 */
export function installCrashPolicy(write: (line: string) => void = (line) => process.stderr.write(line), exit: (code: number) => never = (code) => process.exit(code)): void {
  const context = () => `pid ${process.pid}, up ${Math.round(process.uptime())} s`;
  process.on('unhandledRejection', (reason) => {
    const n = ++unhandledErrors.rejection;
    write(`worker: unhandled rejection #${n} (${context()}); going on: ${describe(reason)}\n`);
  });
  process.on('uncaughtException', (error, origin) => {
    const n = ++unhandledErrors.exception;
    write(`worker: uncaught exception #${n} (${origin}, ${context()}); exiting with ${CRASH_EXIT_CODE}, state may be corrupt: ${describe(error)}\n`);
    exit(CRASH_EXIT_CODE);
  });
}
