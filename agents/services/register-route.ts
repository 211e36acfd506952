import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isRawContent, successStatuses, type RouteSpec } from '../../common/protocol/routes.js';
import { parseInput } from './http-error.js';
import { principalOf } from './route-helpers.js';
import type { Principal } from './users-store.js';

type Parsed<R, K extends 'params' | 'query' | 'headers' | 'body'> = R extends { readonly [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** A request as its route declares it: each part parsed with the declaration's schema, and who calls. */
export interface RouteInput<R extends RouteSpec> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  headers: Parsed<R, 'headers'>;
  /** A raw body (bytes) is left on the request: read it with uploadStream(req). */
  body: Parsed<R, 'body'>;
  /** The caller; public routes have none. */
  principal: R extends { readonly access: 'public' } ? undefined : Principal;
}

/** A JSON route answers its answer schema's shape (or a reply it sent itself); a raw one sends its bytes on the reply. */
export type RouteAnswer<R extends RouteSpec> = R extends { readonly answer: infer A extends z.ZodType } ? z.input<A> | FastifyReply : FastifyReply | void;

export type RouteHandler<R extends RouteSpec> = (input: RouteInput<R>, req: FastifyRequest, reply: FastifyReply) => Promise<RouteAnswer<R>>;

/**
 * Registers a declared route: its method, path and access rule come from the declaration, its
 * params, query, headers and JSON body are parsed with its schemas (in that order, 400 naming the
 * wrong field), and the reply starts with the route's usual status and, for raw answers, its
 * content type. The handler may pick another declared status with reply.code.
 */
export function registerRoute<R extends RouteSpec>(app: FastifyInstance, route: R, handler: RouteHandler<R>, options: { quiet?: boolean } = {}): void {
  const eventStream = isRawContent(route.answer) && route.answer.raw === 'event-stream';
  app.route({
    method: route.method,
    url: route.path,
    config: { access: route.access },
    // A route polled by machines (load balancer health checks, the app's metrics sampler) logs only
    // its warnings: at info its two request lines would be most of the log a person reads.
    ...(options.quiet ? { logLevel: 'warn' } : {}),
    // No HEAD twin for an event stream: a HEAD request would hold a follower open for nothing.
    ...(eventStream ? { exposeHeadRoute: false } : {}),
    handler: async (req, reply) => {
      const input = {
        params: route.params ? parseInput(route.params, req.params, 'params') : undefined,
        query: route.query ? parseInput(route.query, req.query, 'query') : undefined,
        headers: route.headers ? parseInput(route.headers, req.headers, 'headers') : undefined,
        body: route.body && !isRawContent(route.body) ? parseInput(route.body, req.body, 'body') : undefined,
        principal: route.access === 'public' ? undefined : principalOf(req),
      } as RouteInput<R>;
      reply.code(successStatuses(route)[0]);
      if (isRawContent(route.answer)) reply.type(route.answer.contentType);
      return handler(input, req, reply);
    },
  });
}
