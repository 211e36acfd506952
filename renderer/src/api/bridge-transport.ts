import { apiError, callResult, type ApiErrorShape } from '../../../common/api/errors.js';
import type { Transport } from './transport.js';

/** What the Electron preload exposes as a frozen `window.benchtop` (main/electron/preload). */
export interface BenchtopBridge {
  call(name: string, input: unknown): Promise<unknown>;
  subscribe(name: string, input: unknown, onMessage: (payload: unknown) => void, onError: (error: unknown) => void): () => void;
}

declare global {
  interface Window {
    benchtop?: BenchtopBridge;
  }
}

// The bridge crosses a process boundary, so its answers are parsed like any other foreign input.
export function bridgeTransport(bridge: BenchtopBridge): Transport {
  return {
    kind: 'ipc',
    async call(name, input) {
      let raw: unknown;
      try {
        raw = await bridge.call(name, input);
      } catch (error) {
        return { ok: false, error: lostBridge(name, error) };
      }
      const parsed = callResult.safeParse(raw);
      if (parsed.success) return parsed.data;
      return { ok: false, error: { code: 'internal', message: `The desktop bridge answered ${name} in an unexpected shape.` } };
    },
    subscribe(name, input, onMessage, onError) {
      return bridge.subscribe(name, input, onMessage, (error) => {
        const parsed = apiError.safeParse(error);
        onError(parsed.success ? parsed.data : lostBridge(name, error));
      });
    },
  };
}

function lostBridge(name: string, error: unknown): ApiErrorShape {
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: 'unavailable',
    message: `The desktop bridge failed on ${name}: ${detail}`,
    fix: 'Reload the window (Ctrl+R); if it keeps failing, restart Benchtop.',
  };
}
