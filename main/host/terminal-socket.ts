import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SECRET_SUBPROTOCOL_PREFIX, TERMINAL_SOCKET_PATH, TERMINAL_SUBPROTOCOL } from '../../common/api/terminal-stream.js';
import type { TerminalHub } from '../terminal/terminal-hub.js';
import { isAllowedHost, isAllowedOrigin } from './request-guards.js';

// The largest frame a page may send: a paste is split by the page, so this bounds memory only.
const MAX_FRAME_BYTES = 1024 * 1024;
/**
 * Output queued in a socket that the page does not read. The hub's window (what is sent and not
 * acknowledged, ≤ HIGH_WATER_BYTES and a read, plus a replay of the backlog) keeps a page that
 * reads far below this; past it the page is acknowledging what it has not read, and the socket is
 * dropped (the page attaches again from the last byte it has) rather than queue without end.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface TerminalSocketOptions {
  hub: TerminalHub;
  /** Whether this page secret is one of this launch's (PageSessions.admits). */
  admits(secret: string | undefined): boolean;
  port(): number;
}

function refuse(socket: Duplex, status: 401 | 403 | 404, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  const body = JSON.stringify({ ok: false, error: { code: status === 404 ? 'not-found' : status === 401 ? 'unauthorized' : 'forbidden', message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** The page secret from `Sec-WebSocket-Protocol: benchtop-terminal, bearer.<secret>` (a browser cannot set Authorization there). */
export function secretOf(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(TERMINAL_SUBPROTOCOL)) return undefined;
  return offered.find((p) => p.startsWith(SECRET_SUBPROTOCOL_PREFIX))?.slice(SECRET_SUBPROTOCOL_PREFIX.length);
}

/**
 * Browser mode's terminal streams: a WebSocket upgrade on /api/terminal, with the same Host and
 * Origin checks as every request and the page secret; each socket carries one attachment to the
 * hub, binary frames only. Returns what closes every socket.
 */
export function attachTerminalSockets(server: Server, options: TerminalSocketOptions): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, handleProtocols: () => TERMINAL_SUBPROTOCOL });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const port = options.port();
    if ((request.url ?? '').split('?')[0] !== TERMINAL_SOCKET_PATH) return refuse(socket, 404, `There is no WebSocket at ${request.url ?? ''}.`);
    if (!isAllowedHost(request.headers.host, port)) return refuse(socket, 403, `Refused: the Host header "${request.headers.host ?? ''}" is not this server's loopback address.`);
    if (!isAllowedOrigin(request.headers.origin, port)) return refuse(socket, 403, `Refused: requests from ${request.headers.origin} are not allowed.`);
    if (!options.admits(secretOf(request.headers['sec-websocket-protocol']))) return refuse(socket, 401, 'This terminal socket carries no page secret of this launch of Benchtop.');
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const attachment = options.hub.attach({
        send: (frame) => {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return ws.terminate();
          ws.send(frame, { binary: true });
        },
        close: () => ws.close(1000),
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return ws.close(1003, 'binary frames only');
        attachment.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      });
      ws.once('close', () => attachment.gone());
      ws.on('error', () => ws.terminate());
    });
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}
