import { SECRET_SUBPROTOCOL_PREFIX, TERMINAL_SOCKET_PATH, TERMINAL_SUBPROTOCOL } from '../../../common/api/terminal-stream.js';
import { createPageSession, type PageSession } from '../api/page-session.js';

/** One connection carrying a terminal's frames; `onClose` fires once, whoever closed it. */
export interface TerminalLink {
  send(frame: Uint8Array): void;
  close(): void;
}

export interface LinkHandlers {
  onFrame(frame: Uint8Array): void;
  onClose(): void;
}

export type OpenLink = (handlers: LinkHandlers) => Promise<TerminalLink>;

/** What the desktop preload exposes for terminals (main/electron/preload.ts). */
export interface TerminalBridge {
  connect(onFrame: (frame: Uint8Array) => void, onClose: () => void): TerminalLink;
}

export function ipcLink(bridge: TerminalBridge): OpenLink {
  return async ({ onFrame, onClose }) => bridge.connect((frame) => onFrame(new Uint8Array(frame)), onClose);
}

/** Browser mode: a WebSocket on the page's own origin; the page secret rides as a subprotocol. */
export function socketLink(session: PageSession = createPageSession(), base: string = location.origin): OpenLink {
  return async ({ onFrame, onClose }) => {
    const signedIn = await session.secret();
    if (!signedIn.ok) throw new Error(signedIn.error.message);
    const url = `${base.replace(/^http/, 'ws')}${TERMINAL_SOCKET_PATH}`;
    const socket = new WebSocket(url, [TERMINAL_SUBPROTOCOL, `${SECRET_SUBPROTOCOL_PREFIX}${signedIn.secret}`]);
    socket.binaryType = 'arraybuffer';
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      onClose();
    };
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error('The terminal connection to the Benchtop host failed.'));
      socket.onclose = () => {
        reject(new Error('The Benchtop host refused the terminal connection.'));
        close();
      };
    });
    socket.onmessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) onFrame(new Uint8Array(event.data));
    };
    return {
      send: (frame) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      },
      close: () => socket.close(1000),
    };
  };
}

export function pickLink(win: Window = window): OpenLink {
  // The desktop preload puts `terminal` next to call and subscribe on window.benchtop.
  const bridge = (win.benchtop as { terminal?: TerminalBridge } | undefined)?.terminal;
  return bridge ? ipcLink(bridge) : socketLink();
}
