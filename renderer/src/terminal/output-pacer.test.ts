import { describe, expect, it } from 'vitest';
import { MAX_PIECE_BYTES, MIN_PIECE_BYTES, OutputPacer } from './output-pacer.js';

/** A terminal and a clock the test drives: frames run when told, parses finish when told. */
function rig(parseMsPerKiB = 0.1) {
  let clock = 0;
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const writes: { data: Uint8Array; parsed?: (() => void) | undefined }[] = [];
  const parsedBytes: number[] = [];
  const terminal = { write: (data: Uint8Array, parsed?: () => void) => void writes.push({ data, parsed }) };
  const pacer = new OutputPacer(terminal, { nextFrame: (s) => void frames.push(s), nextTask: (m) => void tasks.push(m), now: () => clock });
  /** One frame: the pacer writes, xterm's task runs and parses everything written, at its rate. */
  const frame = (): number => {
    frames.shift()?.();
    for (const mark of tasks.splice(0)) mark();
    const pending = writes.splice(0);
    const bytes = pending.reduce((n, w) => n + w.data.length, 0);
    clock += (bytes / 1024) * parseMsPerKiB;
    parsedBytes.push(bytes);
    for (const w of pending) w.parsed?.();
    return bytes;
  };
  return { pacer, frames, writes, frame, parsedBytes, out: [] as Uint8Array[], terminal };
}

function chunk(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 0xff);
}

describe('output pacer', () => {
  it('gives xterm one piece per frame and the next only once it has parsed the last', () => {
    const r = rig();
    r.pacer.push(chunk(200_000, 1), () => undefined);
    expect(r.frames).toHaveLength(1);
    r.frames.shift()!();
    const first = r.writes.reduce((n, w) => n + w.data.length, 0);
    expect(first).toBeLessThan(200_000);
    // Not parsed yet: nothing more is asked for, however many frames pass.
    r.pacer.push(chunk(1000, 2), () => undefined);
    expect(r.frames).toHaveLength(0);
    for (const w of r.writes.splice(0)) w.parsed?.();
    // The frame after a parse is xterm's to draw it: the next piece goes one frame later.
    expect(r.frames).toHaveLength(1);
    r.frames.shift()!();
    expect(r.writes).toHaveLength(0);
    expect(r.frames).toHaveLength(1);
    r.frames.shift()!();
    expect(r.writes.length).toBeGreaterThan(0);
  });

  it('delivers every byte once, in order, and says each chunk was written only after it was parsed', () => {
    const r = rig();
    const sent: Uint8Array[] = [];
    const written: number[] = [];
    const seen: Uint8Array[] = [];
    const original = r.terminal.write;
    r.terminal.write = (data, parsed) => {
      seen.push(data.slice());
      original(data, parsed);
    };
    const sizes = [1, 70_000, 5, 300_000, 4096, 12_345, 1_000_000, 3];
    sizes.forEach((n, i) => {
      const bytes = chunk(n, i);
      sent.push(bytes);
      const end = sizes.slice(0, i + 1).reduce((a, b) => a + b, 0);
      r.pacer.push(bytes, () => {
        expect(r.parsedBytes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(end);
        written.push(i);
      });
    });
    for (let i = 0; i < 1000 && (r.frames.length > 0 || r.writes.length > 0); i += 1) r.frame();
    expect(written).toEqual(sizes.map((_, i) => i));
    const all = Buffer.concat(sent);
    const got = Buffer.concat(seen);
    expect(got.length).toBe(all.length);
    expect(got.equals(all)).toBe(true);
    expect(r.pacer.queued).toBe(0);
  });

  it('sizes its pieces to the parse rate: bigger for a fast terminal, smaller for a slow one, within bounds', () => {
    const fast = rig(0.01);
    const slow = rig(5);
    for (const r of [fast, slow]) {
      r.pacer.push(new Uint8Array(8_000_000), () => undefined);
      for (let i = 0; i < 40; i += 1) r.frame();
    }
    expect(fast.pacer.piece).toBe(MAX_PIECE_BYTES);
    expect(slow.pacer.piece).toBe(MIN_PIECE_BYTES);
    expect(Math.max(...slow.parsedBytes.slice(10))).toBeLessThanOrEqual(MIN_PIECE_BYTES);
  });

  it('writes a small chunk into an idle terminal at once, without waiting for a frame', () => {
    const r = rig();
    r.pacer.push(chunk(3, 0), () => undefined);
    expect(r.writes.map((w) => w.data.length)).toEqual([3]);
    expect(r.frames).toHaveLength(0);
    // Busy now: the next one waits its turn.
    r.pacer.push(chunk(3, 1), () => undefined);
    expect(r.writes).toHaveLength(1);
  });

  it('drops what is queued when stopped and writes nothing more', () => {
    const r = rig();
    let written = false;
    r.pacer.push(chunk(100_000, 0), () => (written = true));
    r.pacer.stop();
    r.frame();
    expect(r.parsedBytes).toEqual([0]);
    expect(written).toBe(false);
    expect(r.pacer.queued).toBe(0);
  });
});
