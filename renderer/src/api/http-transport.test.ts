import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiErrorShape } from '../../../common/api/errors.js';
import { httpTransport } from './http-transport.js';
import type { PageSession, SignIn } from './page-session.js';

afterEach(() => vi.unstubAllGlobals());

function stubFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const fetch = vi.fn(respond);
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

function signedIn(result: SignIn = { ok: true, secret: 'page-secret' }): PageSession & { forgotten: string[] } {
  const forgotten: string[] = [];
  return { forgotten, secret: async () => result, forget: (secret) => forgotten.push(secret) };
}

/** A streaming answer whose chunks the test pushes, as the host writes them. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    drop: () => controller.error(new TypeError('network error')),
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('HTTP transport (browser mode)', () => {
  it('posts the input to /api/call/<name> with the page secret as a header, never a cookie', async () => {
    const fetch = stubFetch(() => Response.json({ ok: true, value: { present: true } }));
    const result = await httpTransport({ session: signedIn() }).call('settings:has-secret', { key: 'k' });
    expect(result).toEqual({ ok: true, value: { present: true } });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/call/settings:has-secret');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('omit');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer page-secret');
    expect(JSON.parse(String(init?.body))).toEqual({ input: { key: 'k' } });
  });

  it('does not call the host at all while the tab is not signed in, and says why', async () => {
    const fetch = stubFetch(() => Response.json({ ok: true, value: null }));
    const error: ApiErrorShape = { code: 'unauthorized', message: 'This tab is not signed in to the Benchtop host.', fix: 'Open the address that `benchtop start` printed.' };
    await expect(httpTransport({ session: signedIn({ ok: false, error }) }).call('app:get-info', undefined)).resolves.toEqual({ ok: false, error });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('passes on the structured error of a failed call', async () => {
    stubFetch(() => Response.json({ ok: false, error: { code: 'bad-input', message: 'Invalid input to x: key: must not be empty' } }, { status: 400 }));
    const result = await httpTransport({ session: signedIn() }).call('settings:has-secret', { key: '' });
    expect(result).toEqual({ ok: false, error: { code: 'bad-input', message: 'Invalid input to x: key: must not be empty' } });
  });

  it('forgets a secret the host refuses and tells the tab to open the printed address', async () => {
    stubFetch(() => new Response('Unauthorized', { status: 401, headers: { 'www-authenticate': 'Bearer realm="benchtop"' } }));
    const session = signedIn();
    const result = await httpTransport({ session }).call('app:get-info', undefined);
    expect(session.forgotten).toEqual(['page-secret']);
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized', fix: expect.stringContaining('benchtop start') } });
  });

  it('stays signed in when a call itself answers "unauthorized" (AWS refusing a profile\'s keys)', async () => {
    const error = { code: 'unauthorized', message: 'AWS does not accept the credentials of AWS profile "revoked".' };
    stubFetch(() => Response.json({ ok: false, error }, { status: 401 }));
    const session = signedIn();
    await expect(httpTransport({ session }).call('aws:get-identity', { profile: 'revoked' })).resolves.toEqual({ ok: false, error });
    expect(session.forgotten).toEqual([]);
  });

  it('says the host is gone when nothing answers', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const result = await httpTransport({ session: signedIn() }).call('app:get-info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('names the status when the host answers something that is not a result', async () => {
    stubFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const result = await httpTransport({ session: signedIn() }).call('app:get-info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('HTTP 502') } });
  });
});

describe('HTTP transport event streams', () => {
  it('reads the stream with the page secret as a header, and stops the request when unsubscribed', async () => {
    const stream = eventStream();
    const fetch = stubFetch(() => stream.response);
    const messages: unknown[] = [];
    const stop = httpTransport({ session: signedIn() }).subscribe('logs:tail', { runId: 'r1' }, (m) => messages.push(m), () => undefined);
    await until(() => fetch.mock.calls.length === 1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(`/api/events/logs:tail?input=${encodeURIComponent('{"runId":"r1"}')}`);
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer page-secret');
    expect(init?.credentials).toBe('omit');
    stream.write(': open\n\ndata: {"n":1}\n\ndata: {"n"');
    stream.write(':2}\n\n');
    await until(() => messages.length === 2);
    expect(messages).toEqual([{ n: 1 }, { n: 2 }]);
    stop();
    expect(init?.signal?.aborted).toBe(true);
  });

  it('ends for good on an error event from the host', async () => {
    const stream = eventStream();
    const fetch = stubFetch(() => stream.response);
    const errors: ApiErrorShape[] = [];
    httpTransport({ session: signedIn(), reconnectDelayMs: () => 0 }).subscribe('logs:tail', {}, () => undefined, (e) => errors.push(e));
    stream.write('event: error\ndata: {"code":"not-found","message":"No such run."}\n\n');
    await until(() => errors.length === 1);
    expect(errors).toEqual([{ code: 'not-found', message: 'No such run.' }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('opens a dropped stream again, as EventSource would, and keeps delivering', async () => {
    const first = eventStream();
    const second = eventStream();
    const fetch = stubFetch(() => (fetch.mock.calls.length === 1 ? first.response : second.response));
    const messages: unknown[] = [];
    const errors: ApiErrorShape[] = [];
    const stop = httpTransport({ session: signedIn(), reconnectDelayMs: () => 0 }).subscribe('logs:tail', {}, (m) => messages.push(m), (e) => errors.push(e));
    await until(() => fetch.mock.calls.length === 1);
    first.write('data: 1\n\n');
    await until(() => messages.length === 1);
    first.drop();
    await until(() => fetch.mock.calls.length === 2);
    second.write('data: 2\n\n');
    await until(() => messages.length === 2);
    expect(messages).toEqual([1, 2]);
    expect(errors).toEqual([]);
    stop();
  });

  it('reports a refused stream (401) with the host\'s reason, forgets the secret and does not retry', async () => {
    const fetch = stubFetch(() =>
      Response.json({ ok: false, error: { code: 'unauthorized', message: 'This page secret is not one of this launch of Benchtop.' } }, { status: 401, headers: { 'www-authenticate': 'Bearer realm="benchtop"' } }),
    );
    const session = signedIn();
    const errors: ApiErrorShape[] = [];
    httpTransport({ session, reconnectDelayMs: () => 0 }).subscribe('logs:tail', {}, () => undefined, (e) => errors.push(e));
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('not one of this launch') });
    expect(session.forgotten).toEqual(['page-secret']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
