import { describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeClientFrame } from '../../common/api/terminal-stream.js';
import type { BackendSink } from '../terminal/terminal-backend.js';
import { TerminalHub } from '../terminal/terminal-hub.js';
import { IPC_TERMINAL_CLOSE, IPC_TERMINAL_FRAME } from './ipc-channels.js';
import { IpcTerminalBridge, type TerminalSender } from './ipc-terminal.js';

const top = { url: 'app://benchtop/index.html', isMainFrame: true };

function window(id: number) {
  const sent: { channel: string; connection: number; frame?: Uint8Array | undefined }[] = [];
  const sender: TerminalSender = { id, send: (channel, connection, frame) => sent.push({ channel, connection, frame }), isDestroyed: () => false };
  return { sender, sent };
}

async function session(hub: TerminalHub) {
  const written: string[] = [];
  let sink: BackendSink | undefined;
  const info = await hub.open({ title: 't', target: { kind: 'local' }, note: '' }, { cols: 80, rows: 24 }, async (s) => {
    sink = s;
    return { write: (b) => written.push(Buffer.from(b).toString()), resize: () => undefined, pause: () => undefined, resume: () => undefined, close: () => undefined };
  });
  return { info, written, sink: () => sink! };
}

describe('IPC terminal bridge', () => {
  it('carries frames of one connection both ways and ends a window’s connections when it goes', async () => {
    const hub = new TerminalHub();
    const s = await session(hub);
    const bridge = new IpcTerminalBridge(hub, (f) => f?.isMainFrame === true);
    const w = window(1);
    bridge.frame(w.sender, top, 7, encodeClientFrame({ kind: 'attach', request: { sessionId: s.info.id, from: 0 } }));
    bridge.frame(w.sender, top, 7, encodeClientFrame({ kind: 'data', bytes: Buffer.from('ls\r') }));
    s.sink().data(Buffer.from('out'));
    expect(s.written).toEqual(['ls\r']);
    const frames = w.sent.filter((m) => m.channel === IPC_TERMINAL_FRAME && m.connection === 7).map((m) => decodeServerFrame(m.frame!));
    expect(frames.at(-1)).toEqual({ kind: 'data', bytes: expect.any(Uint8Array) });
    bridge.release(1);
    s.sink().data(Buffer.from('after'));
    expect(w.sent.filter((m) => m.channel === IPC_TERMINAL_FRAME)).toHaveLength(frames.length);
  });

  it('drops frames from an untrusted frame and tells the page when the hub refuses', async () => {
    const hub = new TerminalHub();
    const s = await session(hub);
    const bridge = new IpcTerminalBridge(hub, (f) => f?.isMainFrame === true);
    const w = window(2);
    bridge.frame(w.sender, { url: 'https://evil.example', isMainFrame: false }, 1, encodeClientFrame({ kind: 'attach', request: { sessionId: s.info.id, from: 0 } }));
    expect(w.sent).toEqual([]);
    bridge.frame(w.sender, top, 2, encodeClientFrame({ kind: 'attach', request: { sessionId: 'term-gone', from: 0 } }));
    expect(decodeServerFrame(w.sent[0]!.frame!)).toMatchObject({ kind: 'control', control: { type: 'error' } });
    expect(w.sent[1]).toEqual({ channel: IPC_TERMINAL_CLOSE, connection: 2, frame: undefined });
  });
});
