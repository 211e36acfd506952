import { ApiError } from '../../common/api/errors.js';
import { errorText } from '../../lib/aws/error-meaning.js';

/**
 * Long operations (apply, delete, recovery) outlive the API call that starts them: the call answers
 * once AWS has accepted the operation, and the renderer follows it with deploy:watch-stack. One
 * operation per stack at a time; a failure after the start is kept for deploy:status.
 */
export class BackgroundOperations {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly failures = new Map<string, string>();

  lastError(key: string): string | undefined {
    return this.failures.get(key);
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** Runs `body` and resolves once it calls `started` (or rejects if it fails before that). */
  start(key: string, body: (started: () => void) => Promise<unknown>): Promise<void> {
    if (this.running.has(key)) throw new ApiError('conflict', `An operation on ${key} is already running from this app.`, 'Wait for it to finish (follow it on the Deployment page).');
    this.failures.delete(key);
    return new Promise<void>((resolve, reject) => {
      let begun = false;
      const started = () => {
        begun = true;
        resolve();
      };
      const job = body(started)
        .then(
          () => undefined,
          (e: unknown) => {
            if (begun) this.failures.set(key, errorText(e));
            else reject(e);
          },
        )
        .finally(() => {
          this.running.delete(key);
          if (!begun) resolve();
        });
      this.running.set(key, job);
    });
  }

  /** For tests and shutdown: waits for whatever is still running. */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
