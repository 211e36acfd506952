import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeClientFrame, encodeServerFrame, type ClientFrame, type TerminalControl } from '../../../common/api/terminal-stream.js';
import type { LinkHandlers, OpenLink } from './terminal-link.js';
import { TerminalStreamClient, type LinkState } from './terminal-stream-client.js';

/** Links the test drives: what the page sent on each, and a way to answer or drop it. */
function links() {
  const opened: { sent: ClientFrame[]; handlers: LinkHandlers; closed: boolean }[] = [];
  const open: OpenLink = async (handlers) => {
    const link = { sent: [] as ClientFrame[], handlers, closed: false };
    opened.push(link);
    return { send: (f) => link.sent.push(decodeClientFrame(f)!), close: () => (link.closed = true) };
  };
  return { opened, open };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('terminal stream client', () => {
  it('attaches, acknowledges what was written, and re-attaches from the last byte after a drop', async () => {
    const l = links();
    const written: string[] = [];
    const states: LinkState[] = [];
    const controls: TerminalControl[] = [];
    const client = new TerminalStreamClient('term-1', l.open, {
      onData: (bytes, done) => {
        written.push(new TextDecoder().decode(bytes));
        done();
      },
      onControl: (c) => controls.push(c),
      onLinkState: (s) => states.push(s),
    });
    client.start();
    await flush();
    expect(l.opened[0]!.sent[0]).toEqual({ kind: 'attach', request: { sessionId: 'term-1', from: 0 } });
    l.opened[0]!.handlers.onFrame(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: 0, lost: false } }));
    l.opened[0]!.handlers.onFrame(encodeServerFrame({ kind: 'data', bytes: new TextEncoder().encode('hello') }));
    expect(written).toEqual(['hello']);
    expect(l.opened[0]!.sent.at(-1)).toEqual({ kind: 'ack', bytes: 5 });
    client.send(new TextEncoder().encode('x'));
    const sent = l.opened[0]!.sent.at(-1);
    expect(sent?.kind === 'data' && new TextDecoder().decode(sent.bytes)).toBe('x');

    l.opened[0]!.handlers.onClose();
    expect(states.at(-1)).toBe('lost');
    client.retry();
    await flush();
    expect(l.opened[1]!.sent[0]).toEqual({ kind: 'attach', request: { sessionId: 'term-1', from: 5 } });
    l.opened[1]!.handlers.onFrame(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: 5, lost: false } }));
    expect(states.at(-1)).toBe('open');
    client.stop();
    expect(l.opened[1]!.closed).toBe(true);
  });

  it('counts output queued before a re-attach once: what it parses later is not acknowledged on the new attachment', async () => {
    const l = links();
    const pending: (() => void)[] = [];
    const client = new TerminalStreamClient('term-4', l.open, { onData: (_b, done) => pending.push(done), onControl: () => undefined, onLinkState: () => undefined });
    client.start();
    await flush();
    l.opened[0]!.handlers.onFrame(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: 0, lost: false } }));
    l.opened[0]!.handlers.onFrame(encodeServerFrame({ kind: 'data', bytes: new Uint8Array(100_000) }));
    l.opened[0]!.handlers.onClose();
    client.retry();
    await flush();
    expect(l.opened[1]!.sent[0]).toEqual({ kind: 'attach', request: { sessionId: 'term-4', from: 100_000 } });
    l.opened[1]!.handlers.onFrame(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: 100_000, lost: false } }));
    l.opened[1]!.handlers.onFrame(encodeServerFrame({ kind: 'data', bytes: new Uint8Array(10) }));
    // The terminal parses the 100,000 bytes from before the drop, then the 10 after it.
    for (const done of pending) done();
    const acks = l.opened[1]!.sent.filter((f) => f.kind === 'ack');
    expect(acks.at(-1)).toEqual({ kind: 'ack', bytes: 100_010 });
    expect(acks.every((f) => f.kind === 'ack' && f.bytes <= 100_010)).toBe(true);
    client.stop();
  });

  it('opens one link when Reconnect is pressed while an attempt is still opening', async () => {
    const opened: LinkHandlers[] = [];
    let finish: (() => void) | undefined;
    const open: OpenLink = (handlers) =>
      new Promise((resolve) => {
        opened.push(handlers);
        finish = () => resolve({ send: () => undefined, close: () => undefined });
      });
    const client = new TerminalStreamClient('term-5', open, { onData: (_b, done) => done(), onControl: () => undefined, onLinkState: () => undefined });
    client.start();
    client.retry();
    finish?.();
    await flush();
    expect(opened).toHaveLength(1);
    client.stop();
  });

  it('does not reconnect once the session has exited', async () => {
    const l = links();
    const states: LinkState[] = [];
    const client = new TerminalStreamClient('term-2', l.open, { onData: (_b, done) => done(), onControl: () => undefined, onLinkState: (s) => states.push(s) });
    client.start();
    await flush();
    l.opened[0]!.handlers.onFrame(encodeServerFrame({ kind: 'control', control: { type: 'exit', exitCode: 0, reason: 'The shell exited with status 0.' } }));
    l.opened[0]!.handlers.onClose();
    await flush();
    expect(l.opened).toHaveLength(1);
    expect(states).not.toContain('lost');
  });

  describe('a link refused while opening', () => {
    afterEach(() => vi.useRealTimers());

    it('counts as one lost attempt, so every retry is made before the page gives up', async () => {
      vi.useFakeTimers();
      let calls = 0;
      const states: LinkState[] = [];
      // A browser WebSocket refused before it opens fires error and close: the link closes and rejects.
      const open: OpenLink = async (handlers) => {
        calls += 1;
        handlers.onClose();
        throw new Error('The Benchtop host refused the terminal connection.');
      };
      const client = new TerminalStreamClient('term-3', open, { onData: (_b, done) => done(), onControl: () => undefined, onLinkState: (s) => states.push(s) });
      client.start();
      await vi.advanceTimersByTimeAsync(60_000);
      // The first attempt and one per retry delay (250 ms … 8 s), then closed once.
      expect(calls).toBe(7);
      expect(states.filter((s) => s === 'closed')).toHaveLength(1);
      client.stop();
    });
  });
});
