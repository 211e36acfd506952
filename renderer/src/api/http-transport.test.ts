import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpTransport } from './http-transport.js';

afterEach(() => vi.unstubAllGlobals());

function stubFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const fetch = vi.fn(respond);
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('HTTP transport (browser mode)', () => {
  it('posts the input to /api/call/<name> on the same origin and reads the result', async () => {
    const fetch = stubFetch(() => Response.json({ ok: true, value: { present: true } }));
    const result = await httpTransport().call('settings:has-secret', { key: 'k' });
    expect(result).toEqual({ ok: true, value: { present: true } });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/call/settings:has-secret');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(JSON.parse(String(init?.body))).toEqual({ input: { key: 'k' } });
  });

  it('passes on the structured error of a failed call', async () => {
    stubFetch(() => Response.json({ ok: false, error: { code: 'bad-input', message: 'Invalid input to x: key: must not be empty' } }, { status: 400 }));
    const result = await httpTransport().call('settings:has-secret', { key: '' });
    expect(result).toEqual({ ok: false, error: { code: 'bad-input', message: 'Invalid input to x: key: must not be empty' } });
  });

  it('tells a tab without the token cookie to open the printed URL', async () => {
    stubFetch(() => new Response('Unauthorized', { status: 401 }));
    const result = await httpTransport().call('app:get-info', undefined);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unauthorized');
      expect(result.error.fix).toContain('benchtop start');
    }
  });

  it('says the host is gone when nothing answers', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const result = await httpTransport().call('app:get-info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('names the status when the host answers something that is not a result', async () => {
    stubFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const result = await httpTransport().call('app:get-info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('HTTP 502') } });
  });
});
