import { afterEach, describe, expect, it } from 'vitest';
import { HIDDEN_PIECE_BYTES, MAX_PIECE_BYTES, MIN_PIECE_BYTES, OutputPacer, type PageVisibility } from './output-pacer.js';

/** A page whose visibility the test sets, telling its watchers as a document would. */
function page() {
  let hidden = false;
  const watchers = new Set<() => void>();
  const visibility: PageVisibility = {
    hidden: () => hidden,
    watch: (changed) => {
      watchers.add(changed);
      return () => watchers.delete(changed);
    },
  };
  const setHidden = (value: boolean): void => {
    hidden = value;
    for (const changed of watchers) changed();
  };
  return { visibility, setHidden, watchers };
}

/** A terminal and a clock the test drives: frames run when told, parses finish when told. */
function rig(parseMsPerKiB = 0.1, visibility: PageVisibility | 'document' = page().visibility) {
  let clock = 0;
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const writes: { data: Uint8Array; parsed?: (() => void) | undefined }[] = [];
  const parsedBytes: number[] = [];
  const terminal = { write: (data: Uint8Array, parsed?: () => void) => void writes.push({ data, parsed }) };
  const pacer = new OutputPacer(terminal, { nextFrame: (s) => void frames.push(s), nextTask: (m) => void tasks.push(m), now: () => clock, ...(visibility === 'document' ? {} : { visibility }) });
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
  /** What a hidden page does between wake-ups: xterm parses what it was given, no frame runs. */
  const parseAll = (): number => {
    let bytes = 0;
    for (let pending = writes.splice(0); pending.length > 0; pending = writes.splice(0)) {
      for (const w of pending) {
        bytes += w.data.length;
        w.parsed?.();
      }
    }
    return bytes;
  };
  return { pacer, frames, writes, frame, parseAll, parsedBytes, terminal };
}

function chunk(n: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 1) bytes[i] = (seed * 31 + i) & 0xff;
  return bytes;
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

  it('never gives xterm more than a piece between two frames, and never in two frames running', () => {
    const r = rig(0.05);
    const sizes = [100, 70_000, 300_000, 1_000_000, 5, 64 * 1024, 2_000_000, 4096];
    sizes.forEach((n, i) => r.pacer.push(chunk(n, i), () => undefined));
    const perFrame: { bytes: number; piece: number }[] = [];
    for (let i = 0; i < 1000 && (r.frames.length > 0 || r.writes.length > 0); i += 1) {
      const piece = r.pacer.piece;
      perFrame.push({ bytes: r.frame(), piece });
    }
    expect(r.pacer.queued).toBe(0);
    expect(perFrame.reduce((n, f) => n + f.bytes, 0)).toBe(sizes.reduce((a, b) => a + b, 0));
    for (const [i, f] of perFrame.entries()) {
      expect(f.bytes).toBeLessThanOrEqual(Math.min(f.piece, MAX_PIECE_BYTES));
      // The frame after a parse is the one that draws it.
      if (f.bytes > 0) expect(perFrame[i + 1]?.bytes ?? 0).toBe(0);
    }
  });

  it('in a hidden page, writes each piece as one chunk as soon as the last is parsed, with no frame', () => {
    const p = page();
    p.setHidden(true);
    const r = rig(0.1, p.visibility);
    const sent: Uint8Array[] = [];
    let written = 0;
    for (let i = 0; i < 48; i += 1) {
      const bytes = chunk(64 * 1024, i);
      sent.push(bytes);
      r.pacer.push(bytes, () => (written += 1));
    }
    const seen: Uint8Array[] = [];
    for (let i = 0; i < 10 && r.writes.length > 0; i += 1) {
      // One chunk per write: xterm parses a chunk whole, where it stops between chunks after 12 ms
      // to wait for a timer a hidden tab runs once a second.
      expect(r.writes).toHaveLength(1);
      expect(r.writes[0]!.data.length).toBeLessThanOrEqual(HIDDEN_PIECE_BYTES);
      seen.push(r.writes[0]!.data.slice());
      const w = r.writes.shift()!;
      w.parsed?.();
    }
    expect(r.frames).toHaveLength(0);
    expect(written).toBe(48);
    // The first chunk went into the idle terminal alone; the rest came while it was parsed.
    expect(seen.map((b) => b.length)).toEqual([64 * 1024, HIDDEN_PIECE_BYTES, HIDDEN_PIECE_BYTES, 47 * 64 * 1024 - 2 * HIDDEN_PIECE_BYTES]);
    expect(Buffer.concat(seen).equals(Buffer.concat(sent))).toBe(true);
  });

  it('writes a piece waiting for a frame at once when the page is hidden, and goes back to frames when shown', () => {
    const p = page();
    const r = rig(0.1, p.visibility);
    r.pacer.push(chunk(3_000_000, 0), () => undefined);
    expect(r.frames).toHaveLength(1);
    expect(r.writes).toHaveLength(0);
    p.setHidden(true);
    expect(r.writes.map((w) => w.data.length)).toEqual([HIDDEN_PIECE_BYTES]);
    // The frame it was waiting for, should it come after all, writes nothing twice.
    r.frames.shift()!();
    expect(r.writes).toHaveLength(1);
    p.setHidden(false);
    expect(r.parseAll()).toBe(HIDDEN_PIECE_BYTES);
    expect(r.writes).toHaveLength(0);
    expect(r.frames).toHaveLength(1);
    r.frame();
    r.frame();
    expect(r.parsedBytes.at(-1)).toBeGreaterThan(0);
    expect(r.parsedBytes.at(-1)).toBeLessThanOrEqual(MAX_PIECE_BYTES);
  });

  it("follows the document's visibilitychange", () => {
    const r = rig(0.1, 'document');
    const state = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
    try {
      r.pacer.push(chunk(500_000, 0), () => undefined);
      expect(r.writes).toHaveLength(0);
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
      expect(r.writes.map((w) => w.data.length)).toEqual([500_000]);
      r.pacer.stop();
      r.parseAll();
      // Stopped: it no longer listens.
      r.pacer.push(chunk(10, 1), () => undefined);
      document.dispatchEvent(new Event('visibilitychange'));
      expect(r.writes).toHaveLength(0);
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
      expect(Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')).toEqual(state);
    }
  });
});
