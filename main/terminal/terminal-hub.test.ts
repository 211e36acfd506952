import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeServerFrame, encodeClientFrame, HIGH_WATER_BYTES, type ServerFrame } from '../../common/api/terminal-stream.js';
import type { BackendSink, TerminalBackend } from './terminal-backend.js';
import { BACKLOG_BYTES, EXITED_KEEP_MS, EXITED_TAIL_BYTES, TerminalHub } from './terminal-hub.js';
import { ptyBackend } from './local-pty.js';

function fakeBackend() {
  const state = { written: [] as string[], sizes: [] as [number, number][], paused: false, closed: false, sink: undefined as BackendSink | undefined };
  const factory = async (sink: BackendSink): Promise<TerminalBackend> => {
    state.sink = sink;
    return {
      write: (b) => state.written.push(Buffer.from(b).toString()),
      resize: (c, r) => state.sizes.push([c, r]),
      pause: () => (state.paused = true),
      resume: () => (state.paused = false),
      close: () => (state.closed = true),
    };
  };
  return { state, factory };
}

function peer() {
  const frames: ServerFrame[] = [];
  let closed = false;
  return {
    frames,
    get closed() {
      return closed;
    },
    send: (raw: Uint8Array) => frames.push(decodeServerFrame(raw)!),
    close: () => (closed = true),
    data: () => Buffer.concat(frames.flatMap((f) => (f.kind === 'data' ? [Buffer.from(f.bytes)] : []))).toString(),
    controls: () => frames.flatMap((f) => (f.kind === 'control' ? [f.control] : [])),
  };
}

const spec = { title: 't', target: { kind: 'local' as const }, note: '' };
const size = { cols: 80, rows: 24 };

describe('terminal hub', () => {
  it('carries bytes both ways, resizes, and replays what a returning page missed', async () => {
    const hub = new TerminalHub();
    const b = fakeBackend();
    const info = await hub.open(spec, size, b.factory);
    const p1 = peer();
    const a1 = hub.attach(p1);
    a1.receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    b.state.sink!.data(Buffer.from('hello '));
    a1.receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from('ls\r') }));
    a1.receive(encodeClientFrame({ kind: 'resize', size: { cols: 100, rows: 30 } }));
    expect(p1.data()).toBe('hello ');
    expect(b.state.written).toEqual(['ls\r']);
    expect(b.state.sizes).toEqual([[100, 30]]);
    a1.gone();
    b.state.sink!.data(Buffer.from('world'));
    const p2 = peer();
    hub.attach(p2).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 6 } }));
    expect(p2.controls()[0]).toEqual({ type: 'attached', offset: 6, lost: false });
    expect(p2.data()).toBe('world');
  });

  it('pauses the source while the page is far behind and resumes when it acknowledges', async () => {
    const hub = new TerminalHub();
    const b = fakeBackend();
    const info = await hub.open(spec, size, b.factory);
    const p = peer();
    const a = hub.attach(p);
    a.receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    b.state.sink!.data(Buffer.alloc(HIGH_WATER_BYTES + 1));
    expect(b.state.paused).toBe(true);
    a.receive(encodeClientFrame({ kind: 'ack', bytes: HIGH_WATER_BYTES }));
    expect(b.state.paused).toBe(false);
  });

  it('says output was lost when the backlog no longer holds it', async () => {
    const hub = new TerminalHub();
    const b = fakeBackend();
    const info = await hub.open(spec, size, b.factory);
    for (let i = 0; i < 3; i += 1) b.state.sink!.data(Buffer.alloc(BACKLOG_BYTES / 2 + 1, 0x61));
    const p = peer();
    hub.attach(p).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    expect(p.controls()[0]).toMatchObject({ type: 'attached', lost: true });
  });

  it('refuses a first frame that is not an attach, an unknown session, and a bad frame', async () => {
    const hub = new TerminalHub();
    const p1 = peer();
    hub.attach(p1).receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from('x') }));
    expect(p1.controls()[0]).toMatchObject({ type: 'error', message: expect.stringMatching(/first terminal frame/) });
    expect(p1.closed).toBe(true);
    const p2 = peer();
    hub.attach(p2).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: 'term-nope', from: 0 } }));
    expect(p2.controls()[0]).toMatchObject({ type: 'error', message: expect.stringMatching(/no terminal session term-nope/) });
    const p3 = peer();
    hub.attach(p3).receive(Uint8Array.from([9, 1, 2]));
    expect(p3.controls()[0]).toMatchObject({ type: 'error' });
  });

  it('hands the session to a new page and tells the old one', async () => {
    const hub = new TerminalHub();
    const b = fakeBackend();
    const info = await hub.open(spec, size, b.factory);
    const p1 = peer();
    hub.attach(p1).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    const p2 = peer();
    hub.attach(p2).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    expect(p1.closed).toBe(true);
    b.state.sink!.data(Buffer.from('x'));
    expect(p2.data()).toBe('x');
    expect(p1.data()).toBe('');
  });

  it('runs a real shell in a pty, byte-exact, and reports its exit status', async () => {
    const hub = new TerminalHub();
    const info = await hub.open(spec, size, ptyBackend({ file: '/bin/sh', args: [], cwd: '/', env: { PATH: '/usr/bin:/bin', PS1: '$ ' } }));
    const p = peer();
    const a = hub.attach(p);
    a.receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    a.receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from("printf '\\303\\251\\n'; exit 7\r") }));
    for (let i = 0; i < 600 && hub.get(info.id)?.state !== 'exited'; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(p.data()).toContain('é');
    expect(hub.get(info.id)).toMatchObject({ state: 'exited', exitCode: 7 });
    expect(p.controls().at(-1)).toMatchObject({ type: 'exit', exitCode: 7 });
    hub.closeAll();
  });

  it('ends the source of a terminal closed while it was still opening', async () => {
    const hub = new TerminalHub();
    const f = fakeBackend();
    let release: (() => void) | undefined;
    const slow = (sink: BackendSink) => new Promise<TerminalBackend>((done) => (release = () => void f.factory(sink).then(done)));
    const opening = hub.open(spec, size, slow);
    // The session is listed while its source starts (an SSM session takes seconds), so a tab can close it.
    const id = hub.list()[0]!.id;
    expect(hub.close(id)).toBe(true);
    release!();
    await opening;
    expect(f.state.closed).toBe(true);
    expect(hub.list()).toEqual([]);
  });

  describe('an exited session', () => {
    afterEach(() => vi.useRealTimers());

    it('keeps its whole backlog for a while after the exit, then only the tail a reloaded tab redraws', async () => {
      vi.useFakeTimers();
      const hub = new TerminalHub();
      const b = fakeBackend();
      const info = await hub.open(spec, size, b.factory);
      const output = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => 0x61 + (i % 26)));
      b.state.sink!.data(output.subarray(0, 600_000));
      b.state.sink!.data(output.subarray(600_000));
      b.state.sink!.exit(0, 'The shell exited with status 0.');
      const reattach = () => {
        const p = peer();
        hub.attach(p).receive(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
        return p;
      };

      vi.advanceTimersByTime(EXITED_KEEP_MS - 1);
      const early = reattach();
      expect(early.controls()[0]).toEqual({ type: 'attached', offset: 0, lost: false });
      expect(early.data()).toBe(output.toString());

      vi.advanceTimersByTime(1);
      const late = reattach();
      expect(late.controls()[0]).toEqual({ type: 'attached', offset: output.length - EXITED_TAIL_BYTES, lost: true });
      expect(late.data()).toBe(output.subarray(-EXITED_TAIL_BYTES).toString());
      expect(late.controls()).toContainEqual({ type: 'exit', exitCode: 0, reason: 'The shell exited with status 0.' });
      expect(hub.get(info.id)).toMatchObject({ state: 'exited', exitCode: 0 });
    });

    it('leaves no timer behind when its tab closes first', async () => {
      vi.useFakeTimers();
      const hub = new TerminalHub();
      const b = fakeBackend();
      const info = await hub.open(spec, size, b.factory);
      b.state.sink!.exit(1, 'The shell exited with status 1.');
      expect(vi.getTimerCount()).toBe(1);
      hub.close(info.id);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
