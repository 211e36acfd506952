import { existsSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ApiErrorShape, httpStatusOf } from '../../common/api/errors.js';
import type { Router } from '../../common/api/router.js';
import { z } from 'zod';
import { bearerOf } from './access-token.js';
import { PageSessions } from './page-sessions.js';
import { SECURITY_HEADERS } from '../../common/content-security-policy.js';
import { MAX_REQUEST_BODY_BYTES } from '../../common/limits.js';
import { isAllowedHost, isAllowedOrigin } from './request-guards.js';
import { openEventStream } from './event-stream.js';
import { attachTerminalSockets } from './terminal-socket.js';
import type { TerminalHub } from '../terminal/terminal-hub.js';

export interface HostOptions {
  router: Router;
  /** The built renderer (index.html + assets), normally dist/renderer. */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The launch token; default a new random one. */
  token?: string;
  /** Open terminals, attached by WebSocket at /api/terminal (none: no terminal socket). */
  terminals?: TerminalHub;
}

export interface RunningHost {
  /** The address to open, with the launch token: http://127.0.0.1:PORT/?token=T (it signs one page in, once). */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Where a page trades the launch token for its page secret. */
export const SESSION_PATH = '/api/session';
const sessionRequest = z.object({ token: z.string().min(1).max(200) }).strict();

function failure(reply: FastifyReply, error: ApiErrorShape): FastifyReply {
  return reply.code(httpStatusOf(error.code)).header('cache-control', 'no-store').send({ ok: false, error });
}

export const HOST_BODY_LIMIT_BYTES = MAX_REQUEST_BODY_BYTES;

/**
 * Browser mode: the renderer and the API on 127.0.0.1 only. Every request passes the Host check
 * (DNS rebinding) and the Origin check (other sites' pages) before any route runs; every API
 * route also needs this page's secret in `Authorization: Bearer` (other local users, programs and
 * servers). The page's files are the public renderer bundle: a navigation cannot carry a header,
 * and they hold nothing secret.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const sessions = new PageSessions(options.token);
  // A capsule version arrives as one call with its files base64-encoded; the platform takes 64 MiB.
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: HOST_BODY_LIMIT_BYTES });
  let port = 0;
  const streams = new Set<() => void>();
  const closeTerminalSockets = options.terminals
    ? attachTerminalSockets(app.server, { hub: options.terminals, admits: (secret) => sessions.admits(secret), port: () => port })
    : undefined;

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (!isAllowedHost(request.headers.host, port)) {
      return failure(reply, { code: 'forbidden', message: `Refused: the Host header "${request.headers.host ?? ''}" is not this server's loopback address.` });
    }
    if (!isAllowedOrigin(request.headers.origin, port)) {
      return failure(reply, { code: 'forbidden', message: `Refused: requests from ${request.headers.origin} are not allowed.` });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return failure(reply, { code: 'bad-input', message: `Bad request: ${error.message}` });
    return failure(reply, { code: 'internal', message: `Unexpected error: ${error.message}` });
  });

  app.post(SESSION_PATH, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const body = sessionRequest.safeParse(request.body);
    if (!body.success) {
      return failure(reply, { code: 'bad-input', message: 'The request body must be { "token": "<the token in the address>" }.', issues: [{ path: 'token', message: 'a string is required' }] });
    }
    const exchange = sessions.exchange(body.data.token);
    if (exchange.ok) return reply.code(200).send({ ok: true, value: { secret: exchange.secret } });
    if (exchange.reason === 'used') {
      return failure(reply.header('www-authenticate', PAGE_AUTH_CHALLENGE), {
        code: 'unauthorized',
        message: 'The token in this address was already used: it signs one tab in, once.',
        fix: 'Go back to the tab where Benchtop is open (reloading it keeps it signed in), or restart `benchtop start` for a new address.',
      });
    }
    return unauthorized(reply, 'The token in this address is not the token of this launch of Benchtop.');
  });

  // Its own plugin context, so its hook guards every API route, the catch-all 404 included.
  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const secret = bearerOf(request.headers.authorization);
      if (sessions.admits(secret)) return;
      return unauthorized(reply, secret === undefined ? 'This request carries no page secret: browser mode signs a tab in from the address `benchtop start` printed.' : 'This page secret is not one of this launch of Benchtop (each launch makes new ones).');
    });

    api.post('/api/call/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return failure(reply, { code: 'bad-input', message: 'The request body must be a JSON object: { "input": ... }.' });
      }
      const result = await options.router.invoke(request.params.name, (body as { input?: unknown }).input, { transport: 'http' });
      reply.header('cache-control', 'no-store');
      if (result.ok) return reply.code(200).send(result);
      return failure(reply, result.error);
    });

    api.get('/api/events/:name', (request: FastifyRequest<{ Params: { name: string }; Querystring: { input?: string } }>, reply) => {
      let input: unknown;
      if (request.query.input !== undefined) {
        try {
          input = JSON.parse(request.query.input);
        } catch {
          return failure(reply, { code: 'bad-input', message: 'The "input" query parameter is not valid JSON.', issues: [{ path: 'input', message: 'not valid JSON' }] });
        }
      }
      reply.hijack();
      const end = openEventStream({
        router: options.router,
        name: request.params.name,
        input,
        response: reply.raw,
        headers: reply.getHeaders() as OutgoingHttpHeaders,
        onEnd: () => streams.delete(end),
      });
      streams.add(end);
      return reply;
    });

    api.all('/api/*', async (request, reply) =>
      failure(reply, { code: 'not-found', message: `There is no API route ${request.method} ${request.url.split('?')[0]}.` }),
    );
  });

  const indexFile = path.join(options.rendererDir, 'index.html');
  await app.register(fastifyStatic, {
    root: path.resolve(options.rendererDir),
    wildcard: true,
    index: 'index.html',
    cacheControl: false,
    // The first address carries the launch token: no copy of that page belongs in a cache.
    setHeaders: (reply, file) => {
      if (path.basename(file) === 'index.html') reply.header('cache-control', 'no-store');
    },
  });

  // Single-page app: any other GET without a file extension is a client-side route: index.html.
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return failure(reply, { code: 'not-found', message: `Nothing answers ${request.method} ${request.url.split('?')[0]}.` });
    }
    // A missing asset stays a 404: answering index.html for /assets/x.js would hide a broken build.
    if (path.extname(request.url.split('?')[0] ?? '') !== '') {
      return failure(reply, { code: 'not-found', message: `There is no file ${request.url.split('?')[0]}.` });
    }
    if (!existsSync(indexFile)) {
      return failure(reply, { code: 'unavailable', message: `The user interface is not built (${indexFile} is missing).`, fix: 'Run `npm run build` (or `npm start`, which builds it).' });
    }
    return reply.header('cache-control', 'no-store').sendFile('index.html');
  });

  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
    closeTerminalSockets?.();
  });

  try {
    await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the host did not get a TCP port');
  port = address.port;
  return {
    url: `http://127.0.0.1:${port}/?token=${sessions.launchToken}`,
    port,
    token: sessions.launchToken,
    close: () => app.close(),
  };
}

/**
 * Says the refusal is ours, the host's sign-in, and not a call's own "unauthorized" (a platform or
 * AWS refusing its credentials), which the page must not take for a lost sign-in.
 */
export const PAGE_AUTH_CHALLENGE = 'Bearer realm="benchtop"';

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  reply.header('www-authenticate', PAGE_AUTH_CHALLENGE);
  return failure(reply, { code: 'unauthorized', message, fix: 'Open the address that `benchtop start` printed (it signs one tab in, once); each launch makes a new one.' });
}
