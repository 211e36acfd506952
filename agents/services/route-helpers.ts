import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Role } from '../../common/protocol/common.js';
import { HttpError } from './http-error.js';
import type { Principal } from './users-store.js';

/** Who may call a route: nobody needs a token ('public'), any valid token ('any'), or these roles. A route without one is closed to everyone. */
export type Access = 'public' | 'any' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
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

/** Reads an optional single-valued header, refusing repeated or oversized values. */
export function singleHeader(req: FastifyRequest, name: string, maxLength: number): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || value.length === 0 || value.length > maxLength) {
    throw new HttpError('bad-input', `headers.${name}: must be one value of 1 to ${maxLength} characters`);
  }
  return value;
}
