import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentExit, AgentLauncher } from './agent-launcher.js';
import { startAgent } from './child-processes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'child-processes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An agent played by two streams and a promise: the test writes its output and says when it exits. */
function fakeAgent() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (state: AgentExit) => void;
  const exited = new Promise<AgentExit>((resolve) => (exit = resolve));
  const launcher: AgentLauncher = () => ({
    pid: 4242,
    stdout,
    stderr,
    exited,
    failed: new Promise<never>(() => undefined),
    signalTree: () => undefined,
    signal: () => undefined,
  });
  return { stdout, stderr, exit, launcher };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** The log file once it holds `text` (its writes are asynchronous), with generous bounds. */
async function logHolding(file: string, text: string): Promise<string> {
  let log = '';
  for (let i = 0; i < 500 && !log.includes(text); i += 1) {
    await tick();
    log = (() => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    })();
  }
  return log;
}

describe('startAgent', () => {
  it('takes the first stdout line that is not a log record as the announcement, keeping the records in the log and the announcement out', async () => {
    const fake = fakeAgent();
    const logFile = join(dir, 'services.log');
    const agent = startAgent('services', [], logFile, { launcher: fake.launcher });
    fake.stdout.write('{"level":30,"time":1764590400123,"pid":7,"msg":"Server listening at http://127.0.0.1:4000"}\n');
    fake.stdout.write('{"url":"http://127.0.0.1:4000","adminT');
    fake.stdout.write('oken":"secret"}\n');
    expect(await agent.ready).toEqual({ url: 'http://127.0.0.1:4000', adminToken: 'secret' });
    fake.stdout.write('later diagnostic\n');
    fake.stdout.end();
    fake.stderr.end();
    fake.exit({ code: 0, signal: null });
    await agent.exited;
    const log = await logHolding(logFile, 'later diagnostic');
    expect(log).toContain('Server listening at');
    expect(log).toContain('later diagnostic');
    expect(log).not.toContain('secret');
  });

  it('resolves its exit once the last lines still in the pipes at the exit are in the log', async () => {
    const fake = fakeAgent();
    const logFile = join(dir, 'services.log');
    const agent = startAgent('services', [], logFile, { launcher: fake.launcher });
    fake.stdout.write('{"url":"http://127.0.0.1:4000"}\n');
    await agent.ready;
    fake.exit({ code: 0, signal: null });
    await tick();
    fake.stdout.write('closing the database\n');
    fake.stdout.end();
    fake.stderr.write('stopping on SIGTERM\n');
    fake.stderr.end();
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(agent.isRunning()).toBe(false);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('closing the database');
    expect(log).toContain('stopping on SIGTERM');
  });

  it('keeps the last stdout lines that come after stderr has ended', async () => {
    const fake = fakeAgent();
    const logFile = join(dir, 'services.log');
    const agent = startAgent('services', [], logFile, { launcher: fake.launcher });
    fake.stdout.write('{"url":"http://127.0.0.1:4000"}\n');
    await agent.ready;
    fake.stderr.write('stopping on SIGTERM\n');
    fake.stderr.end();
    fake.exit({ code: 0, signal: null });
    await tick();
    fake.stdout.write('{"level":50,"time":1764590400123,"msg":"could not close the database"}\n');
    fake.stdout.end();
    await agent.exited;
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('stopping on SIGTERM');
    expect(log).toContain('could not close the database');
  });

  it('survives output that arrives after the agent exited and its log was closed', async () => {
    const fake = fakeAgent();
    const logFile = join(dir, 'worker-1.log');
    const agent = startAgent('worker', [], logFile, { launcher: fake.launcher });
    fake.stdout.write('{"event":"ready"}\n');
    await agent.ready;
    fake.stderr.write('worker: SIGTERM: draining\n');
    fake.exit({ code: 0, signal: null });
    await agent.exited;
    // A process the agent started holds its pipes past the bounded wait: their lines come after the log closed.
    fake.stdout.write('idle check: stopped\n');
    fake.stdout.end();
    fake.stderr.write('worker: stopped\n');
    fake.stderr.end();
    expect(await logHolding(logFile, 'worker: SIGTERM: draining')).toContain('worker: SIGTERM: draining');
    await tick();
  });
});
