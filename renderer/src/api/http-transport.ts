import { apiError, callResult, type ApiErrorShape, type CallResult } from '../../../main/api/errors.js';
import type { Transport } from './transport.js';

const HOST_GONE: ApiErrorShape = {
  code: 'unavailable',
  message: 'Cannot reach the Benchtop host on this machine.',
  fix: 'Check that `benchtop start` (or `npm start`) is still running, then reload this tab.',
};

const NOT_SIGNED_IN: ApiErrorShape = {
  code: 'unauthorized',
  message: 'This tab is not signed in to the Benchtop host (its token cookie is missing or stale).',
  fix: 'Open the URL with the token that `benchtop start` printed; each launch makes a new token.',
};

/**
 * Browser mode: the host serves this page and the API on the same loopback origin, and the token
 * cookie it set on the first visit travels with every same-origin request, so nothing secret is
 * ever held in script.
 */
export function httpTransport(baseUrl = ''): Transport {
  return {
    kind: 'http',
    async call(name, input) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/call/${name}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(input === undefined ? {} : { input }),
        });
      } catch {
        return { ok: false, error: HOST_GONE };
      }
      return readResult(name, response);
    },
    subscribe(name, input, onMessage, onError) {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      const source = new EventSource(`${baseUrl}/api/events/${name}${query}`);
      let closed = false;
      const close = (): void => {
        closed = true;
        source.close();
      };
      source.onmessage = (event: MessageEvent<string>) => {
        const payload = parseJson(event.data);
        if (payload.ok) onMessage(payload.value);
        else onError({ code: 'internal', message: `${name} sent a message that is not JSON.` });
      };
      // Two kinds of "error": one the host sends (`event: error` with a body) ends the stream for
      // good; a dropped connection has no body, and EventSource retries it by itself unless closed.
      source.addEventListener('error', (event) => {
        if (closed) return;
        const data = (event as MessageEvent<unknown>).data;
        if (typeof data === 'string' && data.length > 0) {
          const body = parseJson(data);
          const parsed = body.ok ? apiError.safeParse(body.value) : undefined;
          close();
          onError(parsed?.success ? parsed.data : { code: 'internal', message: `${name} failed with an unreadable error.` });
        } else if (source.readyState === EventSource.CLOSED) {
          closed = true;
          onError(HOST_GONE);
        }
      });
      return close;
    },
  };
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
