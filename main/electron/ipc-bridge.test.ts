import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCall, defineEvent } from '../../common/api/contract.js';
import { Router } from '../../common/api/router.js';
import { type BridgeSender, IpcBridge } from './ipc-bridge.js';
import type { IpcEventMessage } from './ipc-channels.js';

const ours = { url: 'app://benchtop/', isMainFrame: true };
const iframe = { url: 'app://benchtop/', isMainFrame: false };
const foreign = { url: 'https://evil.example/', isMainFrame: true };

function fixture() {
  let active = 0;
  const emitters = new Set<(payload: { n: number }) => void>();
  const router = new Router()
    .handle(defineCall('test:double', { input: z.object({ n: z.number() }), output: z.object({ n: z.number() }) }), ({ n }) => ({ n: n * 2 }))
    .handleEvent(defineEvent('test:watch-numbers', { input: z.object({}), payload: z.object({ n: z.number() }) }), (_input, emit, signal) => {
      active++;
      emitters.add(emit);
      signal.addEventListener('abort', () => {
        active--;
        emitters.delete(emit);
      });
    });
  const sent: IpcEventMessage[] = [];
  const sender: BridgeSender = { id: 7, send: (_channel, message) => sent.push(message), isDestroyed: () => false };
  return { bridge: new IpcBridge(router), sender, sent, emit: (n: number) => emitters.forEach((e) => e({ n })), active: () => active };
}

describe('IpcBridge', () => {
  it('routes calls from our top frame and refuses iframes and foreign pages', async () => {
    const { bridge } = fixture();
    expect(await bridge.call(ours, 'test:double', { n: 2 })).toEqual({ ok: true, value: { n: 4 } });
    for (const frame of [iframe, foreign, undefined]) {
      const refused = await bridge.call(frame, 'test:double', { n: 2 });
      expect(refused.ok === false && refused.error.code).toBe('forbidden');
    }
    const bad = await bridge.call(ours, 'test:double', { n: 'two' });
    expect(bad.ok === false && bad.error.issues?.[0]?.path).toBe('n');
  });

  it('delivers a subscription to its window until unsubscribed', () => {
    const { bridge, sender, sent, emit, active } = fixture();
    bridge.subscribe(sender, ours, 1, 'test:watch-numbers', {});
    emit(5);
    expect(sent).toEqual([{ id: 1, payload: { n: 5 } }]);
    bridge.unsubscribe(sender.id, 1);
    emit(6);
    expect(sent).toHaveLength(1);
    expect(active()).toBe(0);
  });

  it('ends every stream of a window when it goes away', () => {
    const { bridge, sender, active } = fixture();
    bridge.subscribe(sender, ours, 1, 'test:watch-numbers', {});
    bridge.subscribe(sender, ours, 2, 'test:watch-numbers', {});
    expect(active()).toBe(2);
    bridge.release(sender.id);
    expect(active()).toBe(0);
    expect(bridge.activeCount(sender.id)).toBe(0);
  });

  it('answers a refused or unknown subscription with an error message, starting nothing', () => {
    const { bridge, sender, sent, active } = fixture();
    bridge.subscribe(sender, iframe, 1, 'test:watch-numbers', {});
    bridge.subscribe(sender, ours, 2, 'test:nothing', {});
    expect(sent.map((m) => 'error' in m && m.error.code)).toEqual(['forbidden', 'not-found']);
    expect(active()).toBe(0);
  });
});
