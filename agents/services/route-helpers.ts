import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Access } from '../../common/protocol/routes.js';
import { HttpError } from './http-error.js';
import type { Principal } from './users-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from the route's declaration (register-route.ts); a route without one is closed to everyone. */
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated caller of a guarded route (the onRequest hook ran first). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new HttpError('unauthorized', 'this route needs a bearer token');
  return req.principal;
}

/** A list cursor this server gave out (a row number), or `fallback` when absent. */
export function cursorNumber(cursor: string | undefined, fallback: number): number {
  if (cursor === undefined) return fallback;
  const n = Number(cursor);
  if (!/^\d{1,15}$/.test(cursor) || !Number.isSafeInteger(n)) throw new HttpError('bad-input', 'query.cursor: not a cursor this server gave out; use the "next" of a previous page');
  return n;
}

/** The request body of a raw upload as a stream (whatever content type the client sent). */
export function uploadStream(req: FastifyRequest): Readable {
  if (req.body instanceof Readable) return req.body;
  if (req.body === undefined || req.body === null) return req.raw;
  throw new HttpError('bad-input', 'send the file bytes as the request body with "Content-Type: application/octet-stream"');
}
