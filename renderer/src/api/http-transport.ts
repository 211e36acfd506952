import { apiError, callResult, type ApiErrorShape, type CallResult } from '../../../common/api/errors.js';
import { EventStreamParser } from './event-stream-parser.js';
import { createPageSession, NOT_SIGNED_IN, type PageSession } from './page-session.js';
import type { Transport } from './transport.js';

const HOST_GONE: ApiErrorShape = {
  code: 'unavailable',
  message: 'Cannot reach the Benchtop host on this machine.',
  fix: 'Check that `benchtop start` (or `npm start`) is still running, then reload this tab.',
};

export interface HttpTransportOptions {
  baseUrl?: string;
  session?: PageSession;
  /** How long to wait before reconnecting a dropped event stream, by consecutive failed attempt. */
  reconnectDelayMs?: (attempt: number) => number;
}

const defaultReconnectDelay = (attempt: number): number => Math.min(500 * 2 ** attempt, 10_000);

/**
 * Browser mode: the host serves this page and the API on the same loopback origin. Every request
 * carries this page's secret in a header, set by script and sent nowhere else; nothing ambient
 * (no cookie) exists that the browser could hand to another server on 127.0.0.1.
 */
export function httpTransport(options: HttpTransportOptions = {}): Transport {
  const baseUrl = options.baseUrl ?? '';
  const session = options.session ?? createPageSession(baseUrl);
  const reconnectDelay = options.reconnectDelayMs ?? defaultReconnectDelay;

  return {
    kind: 'http',
    async call(name, input) {
      const signedIn = await session.secret();
      if (!signedIn.ok) return { ok: false, error: signedIn.error };
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/call/${name}`, {
          method: 'POST',
          credentials: 'omit',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${signedIn.secret}` },
          body: JSON.stringify(input === undefined ? {} : { input }),
        });
      } catch {
        return { ok: false, error: HOST_GONE };
      }
      if (refusedSignIn(response)) session.forget(signedIn.secret);
      return readResult(name, response);
    },

    /**
     * A fetch stream, since EventSource cannot send a header. Like EventSource, a dropped
     * connection is opened again (after a growing pause), while an answer of the host — an
     * `event: error`, or a refusal such as 401 — is final.
     */
    subscribe(name, input, onMessage, onError) {
      const url = `${baseUrl}/api/events/${name}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
      const stop = new AbortController();
      const fail = (error: ApiErrorShape): void => {
        if (stop.signal.aborted) return;
        stop.abort();
        onError(error);
      };
      const deliver = (data: string): void => {
        const payload = parseJson(data);
        if (payload.ok) onMessage(payload.value);
        else onError({ code: 'internal', message: `${name} sent a message that is not JSON.` });
      };

      /** One connection: true when it opened (so the pause starts over), false when it could not. */
      const connect = async (): Promise<boolean> => {
        const signedIn = await session.secret();
        if (!signedIn.ok) {
          fail(signedIn.error);
          return false;
        }
        let response: Response;
        try {
          response = await fetch(url, { credentials: 'omit', cache: 'no-store', headers: { accept: 'text/event-stream', authorization: `Bearer ${signedIn.secret}` }, signal: stop.signal });
        } catch {
          return false;
        }
        if (!response.ok || !response.body) {
          if (refusedSignIn(response)) session.forget(signedIn.secret);
          const result = await readResult(name, response);
          fail(result.ok ? { code: 'internal', message: `${name} did not open its event stream (HTTP ${response.status}).` } : result.error);
          return true;
        }
        const parser = new EventStreamParser();
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        try {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
              if (stop.signal.aborted) return true;
              if (event.event === 'error') {
                const body = parseJson(event.data);
                const parsed = body.ok ? apiError.safeParse(body.value) : undefined;
                fail(parsed?.success ? parsed.data : { code: 'internal', message: `${name} failed with an unreadable error.` });
              } else {
                deliver(event.data);
              }
            }
          }
        } catch {
          // Dropped mid-stream (or stopped by us): the loop below decides.
        }
        return true;
      };

      void (async () => {
        let attempt = 0;
        while (!stop.signal.aborted) {
          attempt = (await connect()) ? 0 : attempt + 1;
          if (!stop.signal.aborted) await pause(reconnectDelay(attempt), stop.signal);
        }
      })();
      return () => stop.abort();
    },
  };
}

/**
 * The host refused the page secret itself: its 401 carries a Bearer challenge. A call's own
 * "unauthorized" (AWS or a platform refusing their credentials) is also a 401, without one, and
 * must not sign the tab out.
 */
function refusedSignIn(response: Response): boolean {
  return response.status === 401 && /^Bearer\b/i.test(response.headers.get('www-authenticate') ?? '');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function readResult(name: string, response: Response): Promise<CallResult> {
  const text = await response.text().catch(() => '');
  const body = parseJson(text);
  const parsed = body.ok ? callResult.safeParse(body.value) : undefined;
  if (parsed?.success) return parsed.data;
  if (response.status === 401) return { ok: false, error: NOT_SIGNED_IN };
  return {
    ok: false,
    error: { code: 'internal', message: `The Benchtop host answered ${name} with HTTP ${response.status} and no readable result.` },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
