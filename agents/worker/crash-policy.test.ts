import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE } from './crash-policy.js';

const POLICY = new URL('./crash-policy.ts', import.meta.url).href;

// Its own process: the policy installs process-wide handlers, which must not touch the test runner's.
const SCRIPT = `
const { installCrashPolicy, unhandledErrors } = await import(${JSON.stringify(POLICY)});
installCrashPolicy();
void Promise.reject(new Error('nobody awaited'));
setTimeout(() => {
  process.stdout.write('alive after ' + unhandledErrors.rejection + ' rejection\\n');
  setTimeout(() => { throw new Error('thrown to the event loop'); }, 10);
}, 50);
`;

describe('worker crash policy', () => {
  it('logs and survives an unhandled rejection, logs and exits 70 on an uncaught exception', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { timeout: 30_000 }, (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.stdout).toBe('alive after 1 rejection\n');
    expect(result.stderr).toMatch(/^worker: unhandled rejection #1 \(pid \d+, up \d+ s\); going on: Error: nobody awaited/m);
    expect(result.stderr).toMatch(/^worker: uncaught exception #1 \(uncaughtException, .*\); exiting with 70, state may be corrupt: Error: thrown to the event loop/m);
    expect(result.code).toBe(CRASH_EXIT_CODE);
  });
});
