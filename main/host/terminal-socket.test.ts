import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Router } from '../../common/api/router.js';
import { decodeServerFrame, encodeClientFrame, type ServerFrame, TERMINAL_SOCKET_PATH } from '../../common/api/terminal-stream.js';
import { ptyBackend } from '../terminal/local-pty.js';
import type { BackendSink } from '../terminal/terminal-backend.js';
import { TerminalHub } from '../terminal/terminal-hub.js';
import { type RunningHost, startHost } from './host-server.js';
import { MAX_BUFFERED_BYTES } from './terminal-socket.js';

let host: RunningHost;
let secret: string;
let dir: string;
const hub = new TerminalHub();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-terminal-socket-'));
  host = await startHost({ router: new Router(), rendererDir: dir, terminals: hub });
  const res = await fetch(`http://127.0.0.1:${host.port}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: host.token }) });
  secret = ((await res.json()) as { value: { secret: string } }).value.secret;
});
afterAll(async () => {
  hub.closeAll();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(protocols: string[], headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: ServerFrame[] } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${TERMINAL_SOCKET_PATH}`, protocols, { headers });
    const frames: ServerFrame[] = [];
    ws.on('message', (data: Buffer) => frames.push(decodeServerFrame(new Uint8Array(data))!));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
  });
}

describe('terminal WebSocket of browser mode', () => {
  it('refuses a socket without this launch’s page secret, and one from another origin', async () => {
    expect(await open(['benchtop-terminal'])).toEqual({ status: 401 });
    expect(await open(['benchtop-terminal', 'bearer.not-a-secret'])).toEqual({ status: 401 });
    expect(await open(['benchtop-terminal', `bearer.${secret}`], { origin: 'http://evil.example' })).toEqual({ status: 403 });
  });

  it('carries a shell’s bytes both ways once attached', async () => {
    const info = await hub.open({ title: 'sh', target: { kind: 'local' }, note: '' }, { cols: 80, rows: 24 }, ptyBackend({ file: '/bin/sh', args: [], cwd: '/', env: { PATH: '/usr/bin:/bin', PS1: '$ ' } }));
    const opened = await open(['benchtop-terminal', `bearer.${secret}`]);
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    expect(opened.ws.protocol).toBe('benchtop-terminal');
    opened.ws.send(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    opened.ws.send(encodeClientFrame({ kind: 'data', bytes: Buffer.from('echo $((6*7))\r') }));
    const text = () => Buffer.concat(opened.frames.flatMap((f) => (f.kind === 'data' ? [Buffer.from(f.bytes)] : []))).toString();
    for (let i = 0; i < 600 && !/\r\n42\r\n/.test(text()); i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(text()).toMatch(/\r\n42\r\n/);
    expect(opened.frames[0]).toEqual({ kind: 'control', control: { type: 'attached', offset: 0, lost: false } });
    opened.ws.close();
  });

  it('drops a socket whose page acknowledges output it does not read, instead of queueing without end', async () => {
    let sink: BackendSink | undefined;
    let paused = false;
    const info = await hub.open({ title: 'flood', target: { kind: 'local' }, note: '' }, { cols: 80, rows: 24 }, async (s) => {
      sink = s;
      return { write: () => undefined, resize: () => undefined, pause: () => (paused = true), resume: () => (paused = false), close: () => undefined };
    });
    const opened = await open(['benchtop-terminal', `bearer.${secret}`]);
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    let closed = false;
    opened.ws.once('close', () => (closed = true));
    opened.ws.send(encodeClientFrame({ kind: 'attach', request: { sessionId: info.id, from: 0 } }));
    // The page stops reading its socket but keeps acknowledging everything.
    (opened.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let produced = 0;
    for (let i = 0; i < 4000 && !closed && produced < 20 * MAX_BUFFERED_BYTES; i += 1) {
      if (!paused) {
        sink!.data(chunk);
        produced += chunk.length;
      }
      opened.ws.send(encodeClientFrame({ kind: 'ack', bytes: Number.MAX_SAFE_INTEGER }));
      await new Promise((r) => setTimeout(r, 2));
    }
    for (let i = 0; i < 400 && !closed; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(closed).toBe(true);
    expect(produced).toBeGreaterThan(MAX_BUFFERED_BYTES);
    // The session is still there, for the page to attach again.
    expect(hub.get(info.id)).toMatchObject({ state: 'open' });
    hub.close(info.id);
  });
});
