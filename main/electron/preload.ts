import { contextBridge, ipcRenderer } from 'electron';
import type { ApiErrorShape, CallResult } from '../../common/api/errors.js';
import { IPC_CALL, IPC_EVENT, type IpcEventMessage, IPC_SUBSCRIBE, IPC_TERMINAL_CLOSE, IPC_TERMINAL_FRAME, IPC_UNSUBSCRIBE } from './ipc-channels.js';

// Runs sandboxed, with contextIsolation: it may use only `electron`'s renderer modules, and what
// it exposes is the whole surface the page gets — one frozen object, four members.

type Listener = { onMessage: (payload: unknown) => void; onError?: ((error: ApiErrorShape) => void) | undefined };
const listeners = new Map<number, Listener>();
let nextId = 1;

ipcRenderer.on(IPC_EVENT, (_event, message: IpcEventMessage) => {
  const listener = listeners.get(message.id);
  if (!listener) return;
  if ('error' in message) {
    listeners.delete(message.id);
    listener.onError?.(message.error);
  } else {
    listener.onMessage(message.payload);
  }
});

// Terminal streams: binary frames per connection, the same frames browser mode sends on its WebSocket.
type TerminalListener = { onFrame: (frame: Uint8Array) => void; onClose: () => void };
const terminals = new Map<number, TerminalListener>();
let nextConnection = 1;
ipcRenderer.on(IPC_TERMINAL_FRAME, (_event, connection: number, frame: Uint8Array) => terminals.get(connection)?.onFrame(frame));
ipcRenderer.on(IPC_TERMINAL_CLOSE, (_event, connection: number) => {
  const listener = terminals.get(connection);
  terminals.delete(connection);
  listener?.onClose();
});

const terminal = Object.freeze({
  connect(onFrame: (frame: Uint8Array) => void, onClose: () => void) {
    const id = nextConnection++;
    terminals.set(id, { onFrame, onClose });
    return Object.freeze({
      send(frame: Uint8Array): void {
        if (terminals.has(id) && frame instanceof Uint8Array) ipcRenderer.send(IPC_TERMINAL_FRAME, id, frame);
      },
      close(): void {
        if (!terminals.delete(id)) return;
        ipcRenderer.send(IPC_TERMINAL_CLOSE, id);
      },
    });
  },
});

const benchtop = Object.freeze({
  shell: 'desktop' as const,
  terminal,
  call(name: string, input: unknown): Promise<CallResult> {
    return ipcRenderer.invoke(IPC_CALL, String(name), input) as Promise<CallResult>;
  },
  subscribe(name: string, input: unknown, onMessage: (payload: unknown) => void, onError?: (error: ApiErrorShape) => void): () => void {
    const id = nextId++;
    listeners.set(id, { onMessage, onError });
    ipcRenderer.send(IPC_SUBSCRIBE, id, String(name), input);
    return () => {
      if (!listeners.delete(id)) return;
      ipcRenderer.send(IPC_UNSUBSCRIBE, id);
    };
  },
});

contextBridge.exposeInMainWorld('benchtop', benchtop);
