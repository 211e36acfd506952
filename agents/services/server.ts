import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import './route-helpers.js';
import type { Services } from './context.js';
import { HttpError } from './http-error.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerCapsuleRoutes } from './routes-capsules.js';
import { registerDatasetRoutes } from './routes-datasets.js';
import { registerRunRoutes } from './routes-runs.js';
import { registerLeaseRoutes } from './routes-leases.js';
import { registerLineageRoutes } from './routes-lineage.js';
import { registerTerminalRoutes } from './routes-terminals.js';
import { registerCostRoutes } from './routes-cost.js';
import { registerBackupRoutes } from './routes-backups.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;

function codeForStatus(status: number): HttpError['code'] {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  return 'bad-input';
}

function sendError(reply: FastifyReply, status: number, code: HttpError['code'], message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

export interface ServerOptions {
  logger: boolean | { level: string };
  bodyLimit: number;
}

export function buildServer(services: Services, options: ServerOptions): FastifyInstance {
  const app = Fastify({
    // Request logs go to stderr: stdout carries one line, the announcement whoever started us reads.
    logger: options.logger === false ? false : { level: options.logger === true ? 'info' : options.logger.level, stream: process.stderr },
    bodyLimit: options.bodyLimit,
    routerOptions: { maxParamLength: 2048 },
    // Open log streams and long-polls must not keep a stopping server alive.
    forceCloseConnections: true,
    // Errors Fastify raises before any route runs (a malformed URL, say) are the caller's mistake.
    frameworkErrors: (error, _req, reply) => sendError(reply, 400, 'bad-input', error.message),
  });

  // Raw uploads (dataset blobs, result files) reach their handler as a stream, never buffered.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  // An empty JSON body is no body: clients send "Content-Type: application/json" on bodiless
  // actions (cancel, rerun) too. Anything else goes to Fastify's parser (proto-poisoning checks).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    return parseJson(req, text, done);
  });

  app.addHook('onRequest', async (req) => {
    // No route matched: the not-found handler answers 404.
    if (req.routeOptions.url === undefined) return;
    const access = req.routeOptions.config.access;
    // Deny by default: a route someone forgot to give a rule is closed, not open to anyone.
    if (access === undefined) throw new HttpError('forbidden', `${req.method} ${req.routeOptions.url} declares no access rule, so nobody may call it`);
    if (access === 'public') return;
    const header = req.headers.authorization;
    if (!header) throw new HttpError('unauthorized', 'missing "Authorization: Bearer <token>" header; ask your admin for a token');
    const match = BEARER.exec(header);
    if (!match) throw new HttpError('unauthorized', 'the Authorization header must be "Bearer <token>"');
    const principal = services.users.authenticate(match[1]!);
    if (!principal) throw new HttpError('unauthorized', 'this token is unknown or was revoked');
    if (access !== 'any' && !access.includes(principal.user.role)) {
      throw new HttpError('forbidden', `this route is for ${access.join(' or ')} tokens; this is a ${principal.user.role} token`);
    }
    req.principal = principal;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error instanceof HttpError) return sendError(reply, error.status, error.code, error.message);
    const status = error.statusCode;
    if (status && status >= 400 && status < 500) return sendError(reply, status, codeForStatus(status), error.message);
    req.log.error({ err: error }, 'unexpected error');
    return sendError(reply, 500, 'internal', 'the services agent hit an unexpected error; its log has the details');
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`));

  // Every route is declared in common/protocol/routes.ts. Registered as a plugin, they are added
  // when the server gets ready, so a hook added to the returned instance before then sees them all
  // (the route-table test compares them with the declarations).
  void app.register(async (routes) => {
    registerAdminRoutes(routes, services);
    registerCapsuleRoutes(routes, services);
    registerDatasetRoutes(routes, services);
    registerRunRoutes(routes, services);
    registerLeaseRoutes(routes, services);
    registerLineageRoutes(routes, services);
    registerTerminalRoutes(routes, services);
    registerCostRoutes(routes, services);
    registerBackupRoutes(routes, services);
  });
  return app;
}
