import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Abandoned } from './lease-writes.js';
import { LeaseStop } from './lease-stop.js';
import type { ChildExit, RunningChild } from './runtimes/runtime.js';

/** A command that records the signals it gets and exits on the first one. */
function fakeChild() {
  const signals: NodeJS.Signals[] = [];
  let exited: (exit: ChildExit) => void = () => undefined;
  const child: RunningChild = {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    exit: new Promise<ChildExit>((resolve) => (exited = resolve)),
    startedAt: 0,
    isolation: { kind: 'none', network: true, limits: [], unlimited: [], summary: 'test' },
    signal: (signal) => {
      signals.push(signal);
      exited({ exitCode: null, signal });
    },
  };
  return { child, signals };
}

describe('LeaseStop', () => {
  it('keeps the first of a cancel and a timeout, but a lost lease outranks both', () => {
    const stop = new LeaseStop(1000);
    stop.request('cancel', 'cancelled by user');
    stop.request('timeout', 'timed out');
    expect(stop.reason).toEqual({ kind: 'cancel', message: 'cancelled by user' });
    expect(() => stop.checkLease()).not.toThrow();
    stop.request('lost', 'another worker owns the run');
    expect(stop.reason?.kind).toBe('lost');
    expect(() => stop.checkLease()).toThrow(Abandoned);
  });

  it('stops a command that starts after the stop was asked for', async () => {
    const stop = new LeaseStop(1000);
    stop.request('hand-back', 'draining');
    expect(stop.childStopped).toBeNull();
    const { child, signals } = fakeChild();
    stop.started(child);
    await stop.childStopped;
    expect(signals[0]).toBe('SIGTERM');
    expect(stop.handedBack).toBe(true);
  });
});
