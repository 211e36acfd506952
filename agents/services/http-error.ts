import type { z } from 'zod';
import type { ErrorCode } from '../../common/protocol/common.js';

const STATUS: Record<ErrorCode, number> = {
  'bad-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

/** A failure the caller should read as it is; answered as `{ error: { code, message } }`. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    status?: number,
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status ?? STATUS[code];
  }
}

export const notFound = (what: string): HttpError => new HttpError('not-found', `${what} does not exist`);
export const conflict = (message: string): HttpError => new HttpError('conflict', message);
export const badInput = (message: string): HttpError => new HttpError('bad-input', message);

/** Parses `value` with `schema`, or throws a 400 naming each wrong field ("body.queue: Invalid option ..."). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const text = result.error.issues
    .slice(0, 5)
    .map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
  throw badInput(text);
}
