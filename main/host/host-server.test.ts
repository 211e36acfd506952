import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCall, defineEvent } from '../../common/api/contract.js';
import { Router } from '../../common/api/router.js';
import { type RunningHost, startHost } from './host-server.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: unknown }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads an SSE stream until `count` messages (or an error event) arrived, then hangs up. */
function readEvents(port: number, pathAndQuery: string, headers: Record<string, string>, count: number): Promise<{ status: number; events: { event: string; data: unknown }[] }> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      const done = (): void => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, events });
      };
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n').filter((l) => !l.startsWith(':'));
          if (lines.length === 0) continue;
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          const data = JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? 'null') as unknown;
          events.push({ event, data });
          if (events.length >= count || event === 'error') return done();
        }
      });
      res.on('end', done);
    });
    req.on('error', reject);
  });
}

const echo = defineCall('test:echo', { input: z.object({ text: z.string().min(1) }).strict(), output: z.object({ text: z.string() }) });
const countdown = defineEvent('test:watch-countdown', { input: z.object({ from: z.number().int().positive() }), payload: z.object({ left: z.number() }) });

describe('browser-mode host', () => {
  let host: RunningHost;
  let dir: string;
  let unsubscribed = 0;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'benchtop-host-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Benchtop</title><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("app")');
    const router = new Router()
      .handle(echo, ({ text }) => ({ text: text.toUpperCase() }))
      .handleEvent(countdown, ({ from }, emit, signal) => {
        let left = from;
        const timer = setInterval(() => emit({ left: left-- }), 5);
        signal.addEventListener('abort', () => {
          clearInterval(timer);
          unsubscribed++;
        });
      });
    host = await startHost({ router, rendererDir: dir });
    const exchange = await request(host.port, { method: 'POST', path: '/api/session', body: { token: host.token } });
    expect(exchange.status).toBe(200);
    auth = { authorization: `Bearer ${JSON.parse(exchange.body).value.secret}` };
  });

  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL that carries a 32-byte base64url launch token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(Buffer.from(host.token, 'base64url')).toHaveLength(32);
  });

  it('serves the page and its files with no credential, but answers no API call without the page secret', async () => {
    const page = await request(host.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.headers['cache-control']).toBe('no-store');
    expect((await request(host.port, { path: '/assets/app.js' })).body).toContain('console.log');
    const deepLink = await request(host.port, { path: '/runs/42' });
    expect(deepLink.body).toContain('<div id="root">');
    expect((await request(host.port, { path: '/assets/gone.js' })).status).toBe(404);

    const call = (headers: Record<string, string>) => request(host.port, { method: 'POST', path: '/api/call/test:echo', headers, body: { input: { text: 'x' } } });
    const none = await call({});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('no page secret') });
    expect(none.headers['www-authenticate']).toBe('Bearer realm="benchtop"');
    expect((await call({ authorization: 'Bearer nope' })).status).toBe(401);
    // The launch token is seen in the address: it signs a page in, it does not open the API.
    expect((await call({ authorization: `Bearer ${host.token}` })).status).toBe(401);
    // Cookies are never read, whatever they hold.
    expect((await call({ cookie: `benchtop_token=${host.token}` })).status).toBe(401);
    expect((await call(auth)).status).toBe(200);
    // Every API path is behind the secret, an unknown one and a percent-encoded one too.
    expect((await request(host.port, { path: '/api/nothing' })).status).toBe(401);
    expect((await request(host.port, { method: 'POST', path: '/%61pi/call/test:echo', body: { input: { text: 'x' } } })).status).not.toBe(200);
    expect((await request(host.port, { path: '/api/events/test:watch-countdown?input=%7B%22from%22%3A3%7D' })).status).toBe(401);
  });

  it('trades the launch token once for a page secret, sets no cookie, and a wrong guess does not use the token up', async () => {
    const other = await startHost({ router: new Router().handle(echo, ({ text }) => ({ text })), rendererDir: dir });
    try {
      const exchange = (token: unknown) => request(other.port, { method: 'POST', path: '/api/session', body: { token } });
      const wrong = await exchange('nope');
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body).error.message).toContain('not the token of this launch');
      expect((await exchange(42)).status).toBe(400);

      const first = await exchange(other.token);
      expect(first.status).toBe(200);
      expect(first.headers['set-cookie']).toBeUndefined();
      expect(first.headers['cache-control']).toBe('no-store');
      const secret = JSON.parse(first.body).value.secret as string;
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      expect(secret).not.toBe(other.token);

      const again = await exchange(other.token);
      expect(again.status).toBe(401);
      expect(JSON.parse(again.body).error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('already used'), fix: expect.stringContaining('Go back to the tab') });

      const answer = await request(other.port, { method: 'POST', path: '/api/call/test:echo', headers: { authorization: `Bearer ${secret}` }, body: { input: { text: 'hi' } } });
      expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { text: 'hi' } });
      // A secret of one launch opens nothing in another.
      const elsewhere = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: { authorization: `Bearer ${secret}` }, body: { input: { text: 'hi' } } });
      expect(elsewhere.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses a foreign Origin and a rebinding Host with 403, even with the page secret', async () => {
    const foreign = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: { ...auth, origin: 'http://evil.example' }, body: { input: { text: 'x' } } });
    expect(foreign.status).toBe(403);
    const otherPort = await request(host.port, { path: '/', headers: { ...auth, origin: `http://127.0.0.1:${host.port + 1}` } });
    expect(otherPort.status).toBe(403);
    const foreignExchange = await request(host.port, { method: 'POST', path: '/api/session', headers: { origin: `http://127.0.0.1:${host.port + 1}` }, body: { token: host.token } });
    expect(foreignExchange.status).toBe(403);
    const rebinding = await request(host.port, { path: '/', headers: { ...auth, host: `evil.example:${host.port}` } });
    expect(rebinding.status).toBe(403);
    const ours = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: { ...auth, host: `localhost:${host.port}`, origin: `http://localhost:${host.port}` }, body: { input: { text: 'x' } } });
    expect(ours.status).toBe(200);
  });

  it('serves the first address (with the token) uncached and without a referrer', async () => {
    const page = await request(host.port, { path: `/?token=${host.token}` });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('sends a strict CSP and the other security headers on every response, refusals included', async () => {
    for (const answer of [await request(host.port, { path: '/', headers: auth }), await request(host.port, { path: '/' })]) {
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers a call with { ok, value }', async () => {
    const answer = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: auth, body: { input: { text: 'hi' } } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { text: 'HI' } });
  });

  it('takes a capsule-sized body (a few MB of base64) in one call', async () => {
    const text = 'x'.repeat(3 * 1024 * 1024);
    const answer = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: auth, body: { input: { text } } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).value.text).toHaveLength(text.length);
  });

  it('answers a bad input with 400 naming the field, and an unknown call with 404', async () => {
    const bad = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: auth, body: { input: { text: 5 } } });
    expect(bad.status).toBe(400);
    const error = JSON.parse(bad.body).error;
    expect(error.code).toBe('bad-input');
    expect(error.issues[0].path).toBe('text');
    expect(error.message).toContain('text:');
    const unknown = await request(host.port, { method: 'POST', path: '/api/call/test:nothing', headers: auth, body: { input: {} } });
    expect(unknown.status).toBe(404);
    const notJson = await request(host.port, { method: 'POST', path: '/api/call/test:echo', headers: { ...auth, 'content-type': 'application/json' }, body: undefined });
    expect(notJson.status).toBe(400);
  });

  it('streams events over SSE and unsubscribes when the client goes away', async () => {
    const before = unsubscribed;
    const input = encodeURIComponent(JSON.stringify({ from: 10 }));
    const stream = await readEvents(host.port, `/api/events/test:watch-countdown?input=${input}`, auth, 3);
    expect(stream.status).toBe(200);
    expect(stream.events.map((e) => e.data)).toEqual([{ left: 10 }, { left: 9 }, { left: 8 }]);
    for (let i = 0; i < 1000 && unsubscribed === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(unsubscribed).toBe(before + 1);
  });

  it('reports a bad subscription as a final SSE error event', async () => {
    const stream = await readEvents(host.port, `/api/events/test:watch-countdown?input=${encodeURIComponent('{"from":-1}')}`, auth, 1);
    expect(stream.events).toHaveLength(1);
    expect(stream.events[0]?.event).toBe('error');
    expect(stream.events[0]?.data).toMatchObject({ code: 'bad-input', issues: [{ path: 'from' }] });
  });
});
