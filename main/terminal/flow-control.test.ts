import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeClientFrame, HIGH_WATER_BYTES, LOW_WATER_BYTES } from '../../common/api/terminal-stream.js';
import { ptyBackend } from './local-pty.js';
import type { BackendSink, TerminalBackend } from './terminal-backend.js';
import { TerminalHub } from './terminal-hub.js';

const spec = { title: 't', target: { kind: 'local' as const }, note: '' };
const size = { cols: 80, rows: 24 };

/** A page on the far end of an attachment: keeps what it got, acknowledges when told. */
function page(hub: TerminalHub, sessionId: string) {
  const got: Buffer[] = [];
  let received = 0;
  let acked = 0;
  const attachment = hub.attach({
    send: (raw) => {
      const frame = decodeServerFrame(raw);
      if (frame?.kind !== 'data') return;
      got.push(Buffer.from(frame.bytes));
      received += frame.bytes.length;
    },
    close: () => undefined,
  });
  attachment.receive(encodeClientFrame({ kind: 'attach', request: { sessionId, from: 0 } }));
  return {
    get received() {
      return received;
    },
    get behind() {
      return received - acked;
    },
    type(line: string) {
      attachment.receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from(line) }));
    },
    ack(bytes: number) {
      acked = Math.min(received, acked + bytes);
      attachment.receive(encodeClientFrame({ kind: 'ack', bytes: acked }));
    },
    bytes: () => Buffer.concat(got),
  };
}

/** A deterministic sequence of numbers in [0, 1), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('terminal flow control', () => {
  it('pauses the source above the high mark and resumes it under the low mark, losing and reordering nothing', async () => {
    const hub = new TerminalHub();
    let sink: BackendSink | undefined;
    let paused = false;
    const transitions: { paused: boolean; behind: number }[] = [];
    let reader: ReturnType<typeof page> | undefined;
    const backend: TerminalBackend = {
      write: () => undefined,
      resize: () => undefined,
      pause: () => {
        paused = true;
        transitions.push({ paused: true, behind: reader!.behind });
      },
      resume: () => {
        paused = false;
        transitions.push({ paused: false, behind: reader!.behind });
      },
      close: () => undefined,
    };
    const info = await hub.open(spec, size, async (s) => ((sink = s), backend));
    reader = page(hub, info.id);

    const total = 8 * 1024 * 1024;
    const produced = Buffer.alloc(total);
    for (let i = 0; i < total; i += 1) produced[i] = (i * 7 + (i >> 10)) & 0xff;
    const next = random(15);
    const maxChunk = 64 * 1024;
    let at = 0;
    let mostBehind = 0;
    // The source writes while it is not paused; the page acknowledges a random part of what it has.
    for (let step = 0; step < 100_000 && reader.received < total; step += 1) {
      if (!paused && at < total) {
        const n = Math.min(total - at, 1 + Math.floor(next() * maxChunk));
        sink!.data(produced.subarray(at, at + n));
        at += n;
      }
      mostBehind = Math.max(mostBehind, reader.behind);
      if (next() < 0.3) reader.ack(Math.floor(next() * 96 * 1024));
    }
    reader.ack(total);

    expect(reader.received).toBe(total);
    expect(reader.bytes().equals(produced)).toBe(true);
    expect(transitions.length).toBeGreaterThan(4);
    for (const [i, t] of transitions.entries()) {
      expect(t.paused).toBe(i % 2 === 0);
      if (t.paused) expect(t.behind).toBeGreaterThan(HIGH_WATER_BYTES);
      else expect(t.behind).toBeLessThan(LOW_WATER_BYTES);
    }
    // What the page may hold unacknowledged: the high mark and the one chunk that crossed it.
    expect(mostBehind).toBeLessThanOrEqual(HIGH_WATER_BYTES + maxChunk);
    expect(paused).toBe(false);
  });

  describe('with a real pty', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('stops reading a `cat` while the page is behind and delivers the whole file once it catches up', async () => {
      dir = mkdtempSync(join(tmpdir(), 'benchtop-flow-'));
      // One long line: the pty turns \n into \r\n, and a file without one comes out byte for byte.
      const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(120_000));
      writeFileSync(join(dir, 'big.txt'), content);
      const hub = new TerminalHub();
      const info = await hub.open(spec, size, ptyBackend({ file: '/bin/sh', args: [], cwd: dir, env: { PATH: '/usr/bin:/bin', PS1: '$ ' } }));
      try {
        const reader = page(hub, info.id);
        const until = async (what: string, done: () => boolean): Promise<void> => {
          for (let i = 0; i < 2400 && !done(); i += 1) await new Promise((r) => setTimeout(r, 25));
          if (!done()) throw new Error(`timed out waiting for ${what} (received ${reader.received} bytes)`);
        };
        const text = (): string => reader.bytes().toString('latin1');
        await until('the prompt', () => text().includes('$ '));
        reader.ack(reader.received);
        const before = reader.received;
        reader.type("cat big.txt; echo; echo END-OF-''CAT\r");
        await until('the page to fall behind', () => reader.behind > HIGH_WATER_BYTES);
        // Paused: however long we wait, no more than what was in flight when the pause came.
        await new Promise((r) => setTimeout(r, 500));
        expect(reader.received - before).toBeLessThan(HIGH_WATER_BYTES + 512 * 1024);
        expect(reader.received - before).toBeLessThan(content.length);
        await until('the whole file', () => {
          reader.ack(reader.received);
          return text().includes('END-OF-CAT\r\n');
        });
        expect(reader.bytes().includes(content)).toBe(true);
      } finally {
        hub.closeAll();
      }
    });

    it('delivers the last output of a shell that exits while paused, before its exit', async () => {
      dir = mkdtempSync(join(tmpdir(), 'benchtop-flow-'));
      const events: string[] = [];
      let text = '';
      let exited = false;
      const sink: BackendSink = {
        data: (bytes) => {
          text += Buffer.from(bytes).toString('latin1');
          events.push('data');
        },
        status: () => undefined,
        exit: () => {
          exited = true;
          events.push('exit');
        },
      };
      const backend = await ptyBackend({ file: '/bin/sh', args: [], cwd: dir, env: { PATH: '/usr/bin:/bin', PS1: '$ ' } })(sink, size);
      const until = async (what: string, done: () => boolean): Promise<void> => {
        for (let i = 0; i < 2400 && !done(); i += 1) await new Promise((r) => setTimeout(r, 25));
        if (!done()) throw new Error(`timed out waiting for ${what} (got ${JSON.stringify(text.slice(-200))})`);
      };
      await until('the prompt', () => text.includes('$ '));
      backend.pause();
      backend.write(Buffer.from("echo LAST-''LINE; exit 3\r"));
      await until('the shell to exit', () => exited);
      expect(text).toContain('LAST-LINE');
      expect(events.at(-1)).toBe('exit');
    });
  });
});

