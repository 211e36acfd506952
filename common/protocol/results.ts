import { z } from 'zod';
import { fileEntry } from './datasets.js';
import { relativePath, sha256Hex } from './common.js';

/** Results manifest of a run: `{ files: [{ path, size, sha256 }] }`, sorted by path. */
export const resultsManifest = z.strictObject({ files: z.array(fileEntry).max(100_000) });
export type ResultsManifest = z.infer<typeof resultsManifest>;

/** GET /api/v1/runs/:a/compare/:b — paths changed between a and b, added in b, removed from a. */
export const comparison = z.object({
  identical: z.boolean(),
  changed: z.array(z.string()),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type Comparison = z.infer<typeof comparison>;

/** GET /api/v1/runs/:id/results/<path> answers raw bytes. */
export const resultFileParams = z.strictObject({ id: z.string(), '*': relativePath });

/**
 * PUT /api/v1/leases/:id/results/<path> (worker) — raw bytes of one result file, streamed; headers
 * `x-fencing-token` and `x-content-sha256` (checked after the last byte: 400 on mismatch, 409 on a
 * stale lease). Uploading the same path again replaces it until the run completes.
 */
export const FENCING_TOKEN_HEADER = 'x-fencing-token';
export const CONTENT_SHA256_HEADER = 'x-content-sha256';
export const resultUploadParams = z.strictObject({ id: z.string(), '*': relativePath });
export const resultUploadHeaders = z.object({
  [FENCING_TOKEN_HEADER]: z.coerce.number().int().min(1),
  [CONTENT_SHA256_HEADER]: sha256Hex,
});
/** Answer of a result upload: the stored file's manifest entry. */
export const resultUploadResponse = fileEntry;
