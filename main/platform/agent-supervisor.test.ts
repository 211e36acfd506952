import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentExit } from './agent-launcher.js';
import { AgentSupervisor } from './agent-supervisor.js';
import type { AgentProcess } from './child-processes.js';

/** An agent process the test ends at will. */
function fakeAgent(pid: number) {
  let exit!: (e: AgentExit) => void;
  const exited = new Promise<AgentExit>((resolve) => (exit = resolve));
  const agent: AgentProcess & { die(e: AgentExit): void } = {
    pid,
    ready: Promise.resolve({ pid }),
    exited,
    isRunning: () => true,
    signal: () => undefined,
    stop: async () => exit({ code: 0, signal: 'SIGTERM' }),
    die: (e) => exit(e),
  };
  return agent;
}

describe('AgentSupervisor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts a dead agent again, waiting twice as long after each quick death, and counts restarts', async () => {
    const started: ReturnType<typeof fakeAgent>[] = [];
    const logged: string[] = [];
    const supervisor = new AgentSupervisor({
      name: 'services',
      launch: () => {
        const agent = fakeAgent(100 + started.length);
        started.push(agent);
        return agent;
      },
      log: (m) => logged.push(m),
    });
    await supervisor.ready;
    await vi.advanceTimersByTimeAsync(0);
    expect(supervisor.status()).toEqual({ name: 'services', state: 'running', restarts: 0, lastExit: null });

    const delays = [500, 1000, 2000, 4000];
    for (const [i, delay] of delays.entries()) {
      started.at(-1)!.die({ code: null, signal: 'SIGKILL' });
      await vi.advanceTimersByTimeAsync(0);
      expect(supervisor.status()).toMatchObject({ state: 'restarting', restarts: i, lastExit: { how: 'killed by SIGKILL' } });
      expect(supervisor.pid()).toBeUndefined();
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(started).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toHaveLength(i + 2);
      expect(supervisor.status()).toMatchObject({ state: 'running', restarts: i + 1 });
      expect(supervisor.pid()).toBe(100 + i + 1);
    }
    expect(logged.at(-1)).toBe('the services agent killed by SIGKILL; starting it again in 4000 ms');

    // An agent that lived a minute before dying is started again as quickly as the first time.
    await vi.advanceTimersByTimeAsync(60_000);
    started.at(-1)!.die({ code: 70, signal: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(logged.at(-1)).toBe('the services agent exited with code 70; starting it again in 500 ms');

    await supervisor.stop(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toHaveLength(delays.length + 1);
    expect(supervisor.status().state).toBe('stopped');
  });

  it('caps the wait at 30 s', async () => {
    const started: ReturnType<typeof fakeAgent>[] = [];
    const logged: string[] = [];
    const supervisor = new AgentSupervisor({ name: 'sandbox-w1', launch: () => started[started.push(fakeAgent(started.length)) - 1]!, log: (m) => logged.push(m) });
    await supervisor.ready;
    for (let i = 0; i < 8; i++) {
      started.at(-1)!.die({ code: 1, signal: null });
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(logged.at(-1)).toBe('the sandbox-w1 agent exited with code 1; starting it again in 30000 ms');
    await supervisor.stop(1000);
  });
});
