import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../limits.js';

// Pure schemas shared by the services agent, the worker agent and main/platform. No Node imports:
// the renderer may import this folder too.

/** Every platform route lives under this prefix. */
export const API_PREFIX = '/api/v1';

/** Error codes the platform answers with; the same names as common/api's ApiErrorCode. */
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

/** Longest name one folder entry may have on common filesystems (ext4, APFS, NTFS), in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;

// Bidirectional controls make a name display as another ("gpj.exe" shown as "exe.jpg"): LRE, RLE,
// PDF, LRO, RLO, the isolates LRI, RLI, FSI, PDI, the marks LRM, RLM and the Arabic letter mark.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

/** Bytes of `text` in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement character). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The segment of `path` longer than MAX_SEGMENT_BYTES in UTF-8, or null. */
export function overlongSegment(path: string): string | null {
  for (const segment of path.split('/')) if (utf8ByteLength(segment) > MAX_SEGMENT_BYTES) return segment;
  return null;
}

/**
 * A relative file path inside a capsule, dataset or results folder: no `..`, no leading `/`, no
 * control or bidirectional-control characters, each segment at most 255 UTF-8 bytes. Paths are
 * normalised to Unicode NFC, so "café" typed on Linux (NFC) and read back from an HFS+ disk (NFD)
 * are one path: a list holding both spellings holds one path twice, which every list refuses.
 */
export const relativePath = z
  .string()
  .min(1)
  .max(1024)
  .overwrite((p) => p.normalize('NFC'))
  .refine((p) => !p.startsWith('/') && !p.includes('\\'), 'must be a relative path with "/" separators')
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\x00-\x1f\x7f]/.test(p), 'must not contain control characters')
  .refine((p) => !BIDI_CONTROL.test(p), 'must not contain bidirectional text controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)')
  .refine((p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'must not contain empty, "." or ".." segments')
  .check((ctx) => {
    const segment = overlongSegment(ctx.value);
    if (segment !== null) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `the name "${segment.slice(0, 40)}…" is ${utf8ByteLength(segment)} bytes in UTF-8; a file or folder name may have at most ${MAX_SEGMENT_BYTES}` });
    }
  });

// Padding only at the very end (the length check leaves room for no more than the last group
// needs). A plain character-class run (no repeated group) so the engine checks it in one linear pass: a
// repeated group `(?:x{4})*` overflows V8's regexp stack on a few megabytes.
const BASE64_BODY = /^[A-Za-z0-9+/]*$/;

/** Whether `text` is standard base64 (RFC 4648 §4, padded, no whitespace): Node's decoder would silently skip anything else. */
export function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return BASE64_BODY.test(padding ? text.slice(0, -padding) : text);
}

/** ISO 8601 timestamp (UTC, as produced by Date#toISOString). */
export const timestamp = z.string();

/** Query of every list route: page size and the opaque cursor a previous page returned as `next`. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(200).optional(),
});

/** A page of a list: `{ items, next? }`; `next` is the cursor of the following page, absent on the last. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().optional() });
}

/** Work queues: runs go to CPU or GPU workers. */
export const queueName = z.enum(['cpu', 'gpu']);
export type QueueName = z.infer<typeof queueName>;

/**
 * Roles a token can carry: admin (everything), pi (reads the whole lab; cancels and re-runs any
 * run; cost, budgets, alarms; no infrastructure writes), researcher (own work and what is shared
 * with them), worker (the lease protocol only).
 */
export const role = z.enum(['admin', 'pi', 'researcher', 'worker']);
export type Role = z.infer<typeof role>;

/**
 * The services agent writes the bootstrap token of each role as `<data folder>/<role>.token`
 * (mode 0600); the local sandbox hands the worker's to its workers. Part of the agent's interface,
 * so both sides read the name from here.
 */
export function tokenFileName(role: Role): string {
  return `${role}.token`;
}
