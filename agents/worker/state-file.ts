import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * What the worker tells the instance's idle check (templates/boot/lib/idle.sh), which runs as
 * root: how many runs are under way and since when none has been. `updatedAt` is refreshed at
 * least every minute, so a file that stops changing says the agent is gone.
 */
export const workerState = z.object({
  running: z.number().int().min(0),
  idleSince: z.string().datetime().nullable(),
  updatedAt: z.string().datetime(),
});
export type WorkerState = z.infer<typeof workerState>;

export interface WorkerStateFile {
  /** Records the number of runs under way now (written at once). */
  set(running: number): void;
  /** Stops the periodic refresh; settles once the last write has landed. */
  close(): Promise<void>;
}

export function openWorkerStateFile(path: string, options: { refreshMs?: number; now?: () => Date; log?: (message: string) => void } = {}): WorkerStateFile {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  let running = 0;
  let idleSince: string | null = now().toISOString();
  let writing: Promise<void> = Promise.resolve();
  let failing = false;

  function write(): void {
    const state: WorkerState = { running, idleSince, updatedAt: now().toISOString() };
    // The reader must never see half a file: written beside it, then renamed over it. Writes are
    // chained so an older state never lands after a newer one.
    writing = writing.then(async () => {
      try {
        await writeFile(`${path}.tmp`, `${JSON.stringify(state)}\n`);
        await rename(`${path}.tmp`, path);
        failing = false;
      } catch (error) {
        // The instance then treats the worker as idle; said once per outage, not every minute.
        if (!failing) log(`cannot write the state file ${path}: ${(error as Error).message}`);
        failing = true;
      }
    });
  }

  write();
  const timer = setInterval(write, options.refreshMs ?? 60_000);
  timer.unref();
  return {
    set(count) {
      if (count > 0) idleSince = null;
      else if (running > 0 || idleSince === null) idleSince = now().toISOString();
      running = count;
      write();
    },
    async close() {
      clearInterval(timer);
      await writing;
    },
  };
}
