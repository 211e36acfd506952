import { describe, expect, it } from 'vitest';
import { decodeClientFrame, encodeServerFrame, HIGH_WATER_BYTES, LOW_WATER_BYTES } from '../../../common/api/terminal-stream.js';
import { OutputPacer, type PageVisibility } from './output-pacer.js';
import type { OpenLink } from './terminal-link.js';
import { TerminalStreamClient } from './terminal-stream-client.js';

const READ_BYTES = 64 * 1024;

/**
 * A source behind main's rule (terminal-hub): it sends reads while less than HIGH_WATER_BYTES are
 * unacknowledged, pauses above, and resumes once an ack brings that under LOW_WATER_BYTES.
 */
function source(total: number) {
  let sent = 0;
  let acked = 0;
  let paused = false;
  let pauses = 0;
  let resumes = 0;
  let worstUnacked = 0;
  let deliver: (frame: Uint8Array) => void = () => undefined;
  const byte = (i: number): number => (i * 7 + (i >> 16)) & 0xff;
  const pump = (): void => {
    while (!paused && sent < total) {
      const n = Math.min(READ_BYTES, total - sent);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i += 1) bytes[i] = byte(sent + i);
      sent += n;
      worstUnacked = Math.max(worstUnacked, sent - acked);
      deliver(encodeServerFrame({ kind: 'data', bytes }));
      if (sent - acked > HIGH_WATER_BYTES) {
        paused = true;
        pauses += 1;
      }
    }
  };
  const open: OpenLink = async ({ onFrame }) => {
    deliver = onFrame;
    return {
      send: (raw) => {
        const frame = decodeClientFrame(raw);
        if (frame?.kind === 'attach') {
          onFrame(encodeServerFrame({ kind: 'control', control: { type: 'attached', offset: 0, lost: false } }));
          queueMicrotask(pump);
        }
        if (frame?.kind !== 'ack') return;
        expect(frame.bytes).toBeGreaterThanOrEqual(acked);
        acked = frame.bytes;
        if (paused && sent - acked < LOW_WATER_BYTES) {
          paused = false;
          resumes += 1;
          queueMicrotask(pump);
        }
      },
      close: () => undefined,
    };
  };
  return { open, byte, stats: () => ({ sent, acked, pauses, resumes, worstUnacked }) };
}

/** The page: the stream client into the pacer into a terminal that parses when the test says. */
function paced(total: number, hidden: boolean) {
  const src = source(total);
  const frames: (() => void)[] = [];
  const writes: { data: Uint8Array; parsed?: (() => void) | undefined }[] = [];
  let parsedBytes = 0;
  /** Bytes shown that were not the source's next ones (lost, repeated or out of order). */
  let wrong = 0;
  const visibility: PageVisibility = { hidden: () => hidden, watch: () => () => undefined };
  const pacer = new OutputPacer(
    { write: (data, parsed) => void writes.push({ data, parsed }) },
    { nextFrame: (s) => void frames.push(s), nextTask: (m) => m(), now: () => 0, visibility },
  );
  const client = new TerminalStreamClient('term-1', src.open, { onData: (bytes, written) => pacer.push(bytes, written), onControl: () => undefined, onLinkState: () => undefined });
  /** One turn: a frame if one is asked for, then xterm parses what it was given. */
  const turn = (): void => {
    frames.shift()?.();
    for (let pending = writes.splice(0); pending.length > 0; pending = writes.splice(0)) {
      for (const w of pending) {
        w.data.forEach((b, i) => {
          if (b !== src.byte(parsedBytes + i)) wrong += 1;
        });
        parsedBytes += w.data.length;
        w.parsed?.();
      }
    }
  };
  return { src, client, turn, parsed: () => parsedBytes, wrong: () => wrong, queued: () => pacer.queued };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('paced output under flow control', () => {
  for (const hidden of [false, true]) {
    it(`${hidden ? 'hidden' : 'shown'}: the page's acks resume a paused source until all of it is shown, in order, nothing lost`, async () => {
      const total = 3 * 1024 * 1024 + 12_345;
      const p = paced(total, hidden);
      p.client.start();
      await settle();
      // Until all is shown, or nothing more is for 50 turns running (a stall).
      for (let idle = 0, last = -1; idle < 50 && p.parsed() < total; idle = p.parsed() === last ? idle + 1 : 0) {
        last = p.parsed();
        p.turn();
        await settle();
      }
      const stats = p.src.stats();
      expect(p.parsed()).toBe(total);
      expect(stats.acked).toBe(total);
      expect(stats.pauses).toBeGreaterThan(0);
      expect(stats.resumes).toBe(stats.pauses);
      // What was sent and not acknowledged stayed within the high mark and one read.
      expect(stats.worstUnacked).toBeLessThanOrEqual(HIGH_WATER_BYTES + READ_BYTES);
      expect(p.queued()).toBe(0);
      expect(p.wrong()).toBe(0);
      p.client.stop();
    });
  }
});
