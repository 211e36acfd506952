import { z } from 'zod';
import { callResult, type ApiErrorShape } from '../../../common/api/errors.js';

export type SignIn = { ok: true; secret: string } | { ok: false; error: ApiErrorShape };

/**
 * Browser mode's sign-in. The address `benchtop start` prints carries a launch token that works
 * once; this page trades it for a page secret, which every API call and event stream then sends
 * as `Authorization: Bearer`. No cookie: Chromium would send one to every server on 127.0.0.1.
 */
export interface PageSession {
  /** The page secret, signing in first if needed; never throws. */
  secret(): Promise<SignIn>;
  /** The host refused this secret (it was made by an earlier launch): drop it. */
  forget(secret: string): void;
}

/** What the session touches of the page, so tests can give their own. */
export interface PageSide {
  address(): string;
  /** Replaces the address of this history entry without loading anything. */
  replaceAddress(url: string): void;
  kept: KeptSecret;
  fetch: typeof fetch;
}

export interface KeptSecret {
  get(): string | null;
  set(secret: string): void;
  remove(): void;
}

export const TOKEN_PARAMETER = 'token';
const KEPT_SECRET_KEY = 'benchtop.page-secret';
const exchanged = z.object({ secret: z.string().min(1) });

export const NOT_SIGNED_IN: ApiErrorShape = {
  code: 'unauthorized',
  message: 'This tab is not signed in to the Benchtop host.',
  fix: 'Open the address that `benchtop start` printed: it signs one tab in, once, and that tab stays signed in when reloaded. If it was used already, go back to that tab, or restart `benchtop start` for a new address.',
};

const HOST_GONE: ApiErrorShape = {
  code: 'unavailable',
  message: 'Cannot reach the Benchtop host on this machine to sign this tab in.',
  fix: 'Check that `benchtop start` (or `npm start`) is still running, then reload this tab.',
};

export function createPageSession(baseUrl = '', side: PageSide = browserSide()): PageSession {
  let current: Promise<SignIn> | undefined;

  const exchange = async (token: string): Promise<SignIn> => {
    let response: Response;
    try {
      response = await side.fetch(`${baseUrl}/api/session`, {
        method: 'POST',
        credentials: 'omit',
        cache: 'no-store',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token }),
      });
    } catch {
      return { ok: false, error: HOST_GONE };
    }
    const body = callResult.safeParse(await response.json().catch(() => null));
    if (!body.success) return { ok: false, error: { code: 'internal', message: `The Benchtop host answered the sign-in with HTTP ${response.status} and no readable result.` } };
    if (!body.data.ok) return { ok: false, error: body.data.error };
    const value = exchanged.safeParse(body.data.value);
    return value.success ? { ok: true, secret: value.data.secret } : { ok: false, error: { code: 'internal', message: 'The Benchtop host answered the sign-in without a page secret.' } };
  };

  const signIn = async (): Promise<SignIn> => {
    const address = new URL(side.address());
    const token = address.searchParams.get(TOKEN_PARAMETER);
    if (token === null) {
      const kept = side.kept.get();
      return kept ? { ok: true, secret: kept } : { ok: false, error: NOT_SIGNED_IN };
    }
    const traded = await exchange(token);
    // Spent or refused, the token has nothing more to do in the address bar and the history; an
    // unreachable host leaves it there, so that a reload can try again.
    if (traded.ok || traded.error.code !== 'unavailable') {
      address.searchParams.delete(TOKEN_PARAMETER);
      side.replaceAddress(`${address.pathname}${address.search}${address.hash}`);
    }
    if (traded.ok) {
      side.kept.set(traded.secret);
      return traded;
    }
    // The address was opened again in a tab that is signed in already: its token is spent, the tab is not.
    const kept = side.kept.get();
    return kept && traded.error.code === 'unauthorized' ? { ok: true, secret: kept } : traded;
  };

  return {
    secret() {
      current ??= signIn().then((result) => {
        if (!result.ok && result.error.code === 'unavailable') current = undefined;
        return result;
      });
      return current;
    },
    forget(secret) {
      if (side.kept.get() === secret) side.kept.remove();
      current = undefined;
    },
  };
}

/**
 * The secret is kept in this tab's sessionStorage, so that a reload stays signed in (the token in
 * the address works once). It is safe there because sessionStorage, unlike cookies, belongs to one
 * origin, port included, and to one tab: no other server on 127.0.0.1 and no other tab can read
 * it, and the browser never sends it anywhere by itself. A script running in this page could read
 * it, but such a script could use the page's API anyway; the CSP admits only our own scripts.
 */
function browserSide(): PageSide {
  const storage = (): Storage | undefined => {
    try {
      return window.sessionStorage;
    } catch {
      // Storage switched off: the tab still works, only a reload needs the address again.
      return undefined;
    }
  };
  return {
    address: () => window.location.href,
    replaceAddress: (url) => window.history.replaceState(window.history.state, '', url),
    kept: {
      get: () => storage()?.getItem(KEPT_SECRET_KEY) ?? null,
      set: (secret) => {
        try {
          storage()?.setItem(KEPT_SECRET_KEY, secret);
        } catch {
          // A full storage: the same as none, the tab works until it is reloaded.
        }
      },
      remove: () => storage()?.removeItem(KEPT_SECRET_KEY),
    },
    fetch: (input, init) => fetch(input, init),
  };
}
