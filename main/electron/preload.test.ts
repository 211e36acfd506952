import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL, IPC_EVENT, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from './ipc-channels.js';

const exposed = new Map<string, unknown>();
const sent: unknown[][] = [];
const handlers = new Map<string, (event: unknown, message: unknown) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => Promise.resolve({ ok: true, value: args }),
    send: (...args: unknown[]) => sent.push(args),
    on: (channel: string, handler: (event: unknown, message: unknown) => void) => handlers.set(channel, handler),
  },
}));

interface Bridge {
  shell: string;
  call(name: string, input: unknown): Promise<unknown>;
  subscribe(name: string, input: unknown, onMessage: (p: unknown) => void, onError?: (e: unknown) => void): () => void;
}

describe('preload', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    await import('./preload.js');
    bridge = exposed.get('benchtop') as Bridge;
  });

  it('exposes one frozen object with shell, call, subscribe and terminal, and nothing else', () => {
    expect([...exposed.keys()]).toEqual(['benchtop']);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'shell', 'subscribe', 'terminal']);
    expect(bridge.shell).toBe('desktop');
  });

  it('sends calls on the one call channel', async () => {
    expect(await bridge.call('app:get-info', {})).toEqual({ ok: true, value: [IPC_CALL, 'app:get-info', {}] });
  });

  it('delivers messages of its own subscription, stops on unsubscribe, and ends on an error', () => {
    const got: unknown[] = [];
    const errors: unknown[] = [];
    const stop = bridge.subscribe('runs:watch-logs', { runId: 'r1' }, (p) => got.push(p), (e) => errors.push(e));
    const [channel, id] = sent.at(-1) as [string, number];
    expect(channel).toBe(IPC_SUBSCRIBE);
    const deliver = handlers.get(IPC_EVENT)!;
    deliver({}, { id, payload: { line: 'a' } });
    deliver({}, { id: id + 100, payload: { line: 'not mine' } });
    expect(got).toEqual([{ line: 'a' }]);
    stop();
    expect(sent.at(-1)).toEqual([IPC_UNSUBSCRIBE, id]);
    deliver({}, { id, payload: { line: 'late' } });
    expect(got).toHaveLength(1);

    bridge.subscribe('runs:watch-logs', {}, (p) => got.push(p), (e) => errors.push(e));
    const [, second] = sent.at(-1) as [string, number];
    deliver({}, { id: second, error: { code: 'not-found', message: 'gone' } });
    expect(errors).toEqual([{ code: 'not-found', message: 'gone' }]);
  });
});
