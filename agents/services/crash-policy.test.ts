import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE } from './crash-policy.js';
import { DurationHistogram, prometheusText, unhandledErrors } from './metrics.js';

const FIXTURE = fileURLToPath(new URL('./testing/crash-policy-fixture.ts', import.meta.url));

describe('crash policy', () => {
  it('logs and survives unhandled rejections, logs and exits 70 on an uncaught exception', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', FIXTURE], { timeout: 30_000 }, (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.stdout).toBe('alive after 2 rejections\n');
    expect(result.stderr).toMatch(/^fixture: unhandled rejection #1 \(pid \d+, up \d+ s\); going on: Error: first nobody awaited/m);
    expect(result.stderr).toMatch(/^fixture: unhandled rejection #2 .*second nobody awaited/m);
    expect(result.stderr).toMatch(/^fixture: uncaught exception #1 \(uncaughtException, pid \d+.*\); exiting with 70, state may be corrupt: Error: thrown to the event loop/m);
    expect(result.code).toBe(CRASH_EXIT_CODE);
  });

  it('counts them in /metrics', () => {
    const snapshot = {
      queues: { cpu: { queued: 0, running: 0, workersOnline: 0 }, gpu: { queued: 0, running: 0, workersOnline: 0 } },
      byState: { queued: 0, leased: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
    };
    const before = unhandledErrors.rejection;
    unhandledErrors.rejection += 3;
    try {
      const text = prometheusText(snapshot, new DurationHistogram());
      expect(text).toContain('# TYPE benchtop_unhandled_errors_total counter');
      expect(text).toContain(`benchtop_unhandled_errors_total{kind="rejection"} ${before + 3}`);
      expect(text).toMatch(/^benchtop_unhandled_errors_total\{kind="exception"\} \d+$/m);
    } finally {
      unhandledErrors.rejection = before;
    }
  });
});
