import { contextBridge, ipcRenderer } from 'electron';
import type { ApiErrorShape, CallResult } from '../../common/api/errors.js';
import { IPC_CALL, IPC_EVENT, type IpcEventMessage, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from './ipc-channels.js';

// Runs sandboxed, with contextIsolation: it may use only `electron`'s renderer modules, and what
// it exposes is the whole surface the page gets — one frozen object, three members.

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

const benchtop = Object.freeze({
  shell: 'desktop' as const,
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
