import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ForkOptions, UtilityProcess } from 'electron';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from '../platform/child-processes.js';
import { utilityAgentLauncher } from './utility-agent-launcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'benchtop-utility-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Stands in for an agent bundle: announces itself with its arguments, stops cleanly on SIGTERM after
// a burst of output, whose last line may still be in the pipe when the exit is reported.
writeFileSync(
  path.join(dir, 'services.mjs'),
  `process.on('SIGTERM', () => { process.stderr.write('draining\\n'.repeat(20000) + 'stopping on SIGTERM\\n', () => process.exit(0)); });
   setInterval(() => {}, 1000);
   console.log(JSON.stringify({ args: process.argv.slice(2) }));`,
);

/** Electron's utilityProcess.fork, played by a Node child process with the same surface. */
function fakeFork(calls: { modulePath: string; args: string[] | undefined; options: ForkOptions | undefined }[]) {
  return (modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess => {
    calls.push({ modulePath, args, options });
    const child = spawn(process.execPath, [modulePath, ...(args ?? [])], { stdio: 'pipe' });
    const utility = new EventEmitter();
    child.on('exit', (code) => utility.emit('exit', code ?? 1));
    return Object.assign(utility, {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      kill: () => child.kill(),
      postMessage: () => undefined,
    }) as unknown as UtilityProcess;
  };
}

describe('utility-process agent launcher', () => {
  it('starts the agent bundle with piped output, reads its announcement and stops it with SIGTERM', async () => {
    const calls: Parameters<typeof fakeFork>[0] = [];
    const log = path.join(dir, 'services.log');
    const agent = startAgent('services', ['--data', 'd', '--port', '0'], log, { launcher: utilityAgentLauncher(fakeFork(calls), dir) });
    expect(await agent.ready).toEqual({ args: ['--data', 'd', '--port', '0'] });
    expect(calls[0]).toMatchObject({ modulePath: path.join(dir, 'services.mjs'), options: { stdio: 'pipe' } });
    expect(agent.isRunning()).toBe(true);
    await agent.stop(5_000);
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(agent.isRunning()).toBe(false);
    expect(readFileSync(log, 'utf8')).toContain('stopping on SIGTERM');
  });

  it('reports an agent that exits before announcing itself, with its last words', async () => {
    writeFileSync(path.join(dir, 'worker.mjs'), `console.error('worker: the token file is missing'); process.exit(3);`);
    const agent = startAgent('worker', [], path.join(dir, 'worker.log'), { launcher: utilityAgentLauncher(fakeFork([]), dir) });
    await expect(agent.ready).rejects.toThrow(/worker agent exited \(code 3\) before it was ready: worker: the token file is missing/);
  });
});
