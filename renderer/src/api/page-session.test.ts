import { describe, expect, it, vi } from 'vitest';
import { createPageSession, NOT_SIGNED_IN, type PageSide } from './page-session.js';

/** A page at `address` whose host answers the sign-in with `answer`, and whose tab keeps `kept`. */
function page(address: string, answer: () => Response | Promise<Response>, kept: string | null = null) {
  const state = { address, kept };
  const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => answer());
  const side: PageSide = {
    address: () => state.address,
    replaceAddress: (url) => {
      state.address = new URL(url, state.address).href;
    },
    kept: {
      get: () => state.kept,
      set: (secret) => {
        state.kept = secret;
      },
      remove: () => {
        state.kept = null;
      },
    },
    fetch: fetch as unknown as typeof globalThis.fetch,
  };
  return { state, fetch, session: createPageSession('', side) };
}

const granted = () => Response.json({ ok: true, value: { secret: 'page-secret' } });
const spent = () =>
  Response.json({ ok: false, error: { code: 'unauthorized', message: 'The token in this address was already used: it signs one tab in, once.', fix: 'Go back to the tab where Benchtop is open.' } }, { status: 401 });

describe('browser-mode page session', () => {
  it('trades the token in the address once for a page secret, keeps it for reloads, and takes the token out of the address', async () => {
    const tab = page('http://127.0.0.1:4100/?token=launch-token&view=1#/setup', granted);
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'page-secret' });
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'page-secret' });
    expect(tab.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = tab.fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/session');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('omit');
    expect(JSON.parse(String(init?.body))).toEqual({ token: 'launch-token' });
    expect(tab.state.address).toBe('http://127.0.0.1:4100/?view=1#/setup');
    expect(tab.state.kept).toBe('page-secret');
  });

  it('after a reload (no token in the address) uses the secret this tab kept, without asking the host', async () => {
    const tab = page('http://127.0.0.1:4100/#/cost', granted, 'kept-secret');
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'kept-secret' });
    expect(tab.fetch).not.toHaveBeenCalled();
  });

  it('tells a tab with neither token nor secret how to get in', async () => {
    const tab = page('http://127.0.0.1:4100/', granted);
    const result = await tab.session.secret();
    expect(result).toEqual({ ok: false, error: NOT_SIGNED_IN });
    if (!result.ok) expect(result.error.fix).toContain('benchtop start');
  });

  it('carries on with its kept secret when the printed address is opened again in a signed-in tab', async () => {
    const tab = page('http://127.0.0.1:4100/?token=launch-token#/runs', spent, 'kept-secret');
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'kept-secret' });
    expect(tab.state.address).toBe('http://127.0.0.1:4100/#/runs');
  });

  it('passes on the host\'s reason when the token is spent and the tab has nothing kept', async () => {
    const tab = page('http://127.0.0.1:4100/?token=launch-token', spent);
    const result = await tab.session.secret();
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('already used') } });
    expect(tab.state.address).toBe('http://127.0.0.1:4100/');
  });

  it('keeps the token in the address while the host cannot be reached, and tries again on the next call', async () => {
    let up = false;
    const tab = page('http://127.0.0.1:4100/?token=launch-token', () => (up ? granted() : Promise.reject(new TypeError('Failed to fetch'))));
    await expect(tab.session.secret()).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(tab.state.address).toContain('token=launch-token');
    up = true;
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'page-secret' });
    expect(tab.state.address).not.toContain('token');
  });

  it('drops a secret the host refused, so the tab says it is not signed in', async () => {
    const tab = page('http://127.0.0.1:4100/', granted, 'old-launch-secret');
    await expect(tab.session.secret()).resolves.toEqual({ ok: true, secret: 'old-launch-secret' });
    tab.session.forget('old-launch-secret');
    expect(tab.state.kept).toBeNull();
    await expect(tab.session.secret()).resolves.toEqual({ ok: false, error: NOT_SIGNED_IN });
  });
});
