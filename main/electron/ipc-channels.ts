import type { ApiErrorShape } from '../../common/api/errors.js';

// The only IPC channels between the preload and main. The preload never forwards arbitrary
// channel names: each of these carries an API name that the router checks against the contract.
export const IPC_CALL = 'benchtop:call';
export const IPC_SUBSCRIBE = 'benchtop:subscribe';
export const IPC_UNSUBSCRIBE = 'benchtop:unsubscribe';
export const IPC_EVENT = 'benchtop:event';
/** Terminal streams, both ways: (connection id, binary frame of common/api/terminal-stream.ts). */
export const IPC_TERMINAL_FRAME = 'benchtop:terminal-frame';
/** Either side ends a terminal connection: (connection id). */
export const IPC_TERMINAL_CLOSE = 'benchtop:terminal-close';

/** Main → preload, on IPC_EVENT: one message of subscription `id`, or its final error. */
export type IpcEventMessage = { id: number; payload: unknown } | { id: number; error: ApiErrorShape };
