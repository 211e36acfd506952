import { z } from 'zod';

// Pure schemas shared by the services agent, the worker agent and main/platform. No Node imports:
// the renderer may import this folder too.

/** Every platform route lives under this prefix. */
export const API_PREFIX = '/api/v1';

/** Error codes the platform answers with; the same names as main/api's ApiErrorCode. */
export const errorCode = z.enum(['bad-input', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'unavailable', 'internal']);
export type ErrorCode = z.infer<typeof errorCode>;

/** Body of every non-2xx answer: `{ error: { code, message } }`. */
export const errorBody = z.object({ error: z.object({ code: errorCode, message: z.string() }) });
export type ErrorBody = z.infer<typeof errorBody>;

/** An opaque id like `run_0f3a9c2b7d1e4a5b6c7d`: lowercase prefix, underscore, lowercase hex/alnum. */
export const id = z.string().regex(/^[a-z]{2,8}_[a-z0-9]{8,40}$/, 'must be an id like "run_0f3a9c2b7d1e4a5b6c7d"');

/** Path parameter `:id`. */
export const idParams = z.strictObject({ id });

/** A full git commit id (40 hex characters, SHA-1 object format). */
export const commitSha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character hex commit id');

/** A lowercase hex SHA-256 digest (64 characters). */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a 64-character lowercase hex sha256');

/** A version to read: `HEAD` or a (possibly abbreviated, ≥ 4 characters) commit id. */
export const gitRef = z.string().regex(/^(HEAD|[0-9a-f]{4,40})$/, 'must be "HEAD" or a hex commit id');

/** A relative file path inside a capsule, dataset or results folder: no `..`, no leading `/`, no control characters. */
export const relativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.includes('\\'), 'must be a relative path with "/" separators')
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\x00-\x1f\x7f]/.test(p), 'must not contain control characters')
  .refine((p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'must not contain empty, "." or ".." segments');

/** ISO 8601 timestamp (UTC, as produced by Date#toISOString). */
export const timestamp = z.string();

/** Query of every list route: page size and the opaque cursor a previous page returned as `next`. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

/** A page of a list: `{ items, next? }`; `next` is the cursor of the following page, absent on the last. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().optional() });
}

/** Work queues: runs go to CPU or GPU workers. */
export const queueName = z.enum(['cpu', 'gpu']);
export type QueueName = z.infer<typeof queueName>;

/** Roles a token can carry. */
export const role = z.enum(['admin', 'researcher', 'worker']);
export type Role = z.infer<typeof role>;
