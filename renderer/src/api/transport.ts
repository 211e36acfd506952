import type { ApiErrorShape, CallResult } from '../../../common/api/errors.js';

/**
 * How the renderer reaches the router in main: Electron IPC through the preload bridge, loopback
 * HTTP in browser mode, or an in-process router in tests. Every transport answers with the same
 * structured result and never throws, so the client above it has one error path.
 */
export interface Transport {
  readonly kind: 'ipc' | 'http' | 'test';
  call(name: string, input: unknown): Promise<CallResult>;
  /** Returns what stops the stream; `onError` gets every failure, including a lost connection. */
  subscribe(name: string, input: unknown, onMessage: (payload: unknown) => void, onError: (error: ApiErrorShape) => void): () => void;
}
