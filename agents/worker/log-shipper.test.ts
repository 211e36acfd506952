import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { LogBatchRequest } from '../../common/protocol/index.js';
import { LogShipper } from './log-shipper.js';

/** A fake platform endpoint whose acknowledgements the test releases by hand. */
function gatedServer() {
  const received: LogBatchRequest[] = [];
  const gates: Array<() => void> = [];
  let held = 0;
  return {
    received,
    get pending() {
      return gates.length;
    },
    release() {
      gates.shift()?.();
    },
    hold(n: number) {
      held = n;
    },
    send: (batch: LogBatchRequest) =>
      new Promise<{ next: number }>((resolve) => {
        received.push(batch);
        const ack = () => resolve({ next: batch.offset + batch.lines.length });
        if (held > 0) {
          held -= 1;
          gates.push(ack);
        } else ack();
      }),
  };
}

describe('LogShipper', () => {
  it('ships lines in order with increasing offsets, splitting on newlines and CRLF', async () => {
    const server = gatedServer();
    const shipper = new LogShipper({ send: server.send, fencingToken: 3, flushMs: 5, onStale: () => undefined });
    const out = new PassThrough();
    const done = shipper.attach(out, 'stdout');
    out.write('one\r\ntw');
    out.write('o\nthree');
    out.end();
    await done;
    expect(await shipper.close()).toBe(true);
    const lines = server.received.flatMap((b) => b.lines.map((l) => l.text));
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(server.received.every((b) => b.fencingToken === 3)).toBe(true);
    expect(server.received.map((b) => b.offset)).toEqual(server.received.map((_b, i) => server.received.slice(0, i).reduce((n, x) => n + x.lines.length, 0)));
  });

  it('pauses the producer while the buffer is full and resumes once batches are acknowledged', async () => {
    const server = gatedServer();
    server.hold(1);
    const shipper = new LogShipper({ send: server.send, fencingToken: 1, maxLines: 100, batchLines: 50, flushMs: 1, onStale: () => undefined });
    const out = new PassThrough();
    const done = shipper.attach(out, 'stdout');
    for (let i = 0; i < 1000; i += 1) out.write(`line ${i}\n`);
    out.end();
    // The first batch is not acknowledged: reading stops near the bound instead of taking all 1000.
    await vi.waitFor(() => expect(out.isPaused()).toBe(true), { timeout: 10_000 });
    const read = server.received.reduce((n, b) => n + b.lines.length, 0);
    expect(read).toBeLessThanOrEqual(50);
    server.release();
    await done;
    expect(await shipper.close()).toBe(true);
    const texts = server.received.flatMap((b) => b.lines.map((l) => l.text));
    expect(new Set(texts).size).toBe(1000);
    expect(texts.at(-1)).toBe('line 999');
  });

  it('cuts a line longer than the protocol allows into several', async () => {
    const server = gatedServer();
    const shipper = new LogShipper({ send: server.send, fencingToken: 1, flushMs: 1, onStale: () => undefined });
    const out = new PassThrough();
    const done = shipper.attach(out, 'stderr');
    out.end(`${'x'.repeat(150 * 1024)}\n`);
    await done;
    await shipper.close();
    const lengths = server.received.flatMap((b) => b.lines.map((l) => l.text.length));
    expect(lengths).toEqual([65536, 65536, 22528]);
  });

  it('retries a failed batch without duplicating and stops for good on 409', async () => {
    let calls = 0;
    const sent: string[] = [];
    let stale = 0;
    const shipper = new LogShipper({
      send: async (batch) => {
        calls += 1;
        if (calls === 1) throw new Error('connection reset');
        if (calls === 3) throw Object.assign(new Error('stale'), { status: 409 });
        sent.push(...batch.lines.map((l) => l.text));
        return { next: batch.offset + batch.lines.length };
      },
      fencingToken: 1,
      flushMs: 1,
      onStale: () => (stale += 1),
    });
    shipper.note('first');
    // Sent on the retry, after a backoff of up to 100 ms (full jitter).
    await vi.waitFor(() => expect(sent).toEqual(['benchtop: first']), { timeout: 10_000 });
    shipper.note('second');
    expect(await shipper.close()).toBe(false);
    expect(stale).toBe(1);
    expect(shipper.isStale).toBe(true);
  });
});
