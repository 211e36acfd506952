import { z } from 'zod';
import { id, page, relativePath, sha256Hex, timestamp } from './common.js';
import { sharing, visibility } from './sharing.js';

/** One file of a dataset version or a results folder. */
export const fileEntry = z.strictObject({ path: relativePath, size: z.number().int().min(0), sha256: sha256Hex });
export type FileEntry = z.infer<typeof fileEntry>;

/** A dataset: a name over immutable versions. */
export const dataset = z.object({
  id,
  name: z.string(),
  description: z.string(),
  /** Content hash of the newest version, null before the first. */
  latestVersion: sha256Hex.nullable(),
  createdAt: timestamp,
  /** Absent only from platforms older than ownership. */
  sharing: sharing.optional(),
});
export type Dataset = z.infer<typeof dataset>;

/** GET /api/v1/datasets. */
export const datasetList = page(dataset);

/** POST /api/v1/datasets (admin, researcher). */
export const createDatasetRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  /** Default private, as capsules. */
  visibility: visibility.default('private'),
});

/**
 * PUT /api/v1/datasets/:id/blobs/:sha256 — raw bytes of one file (application/octet-stream),
 * streamed to storage and checked against the sha256 in the path (400 on mismatch). Answers the blob.
 */
export const blobParams = z.strictObject({ id, sha256: sha256Hex });
export const blobResponse = z.object({ sha256: sha256Hex, size: z.number().int() });

/**
 * POST /api/v1/datasets/:id/versions — a version from blobs already uploaded (400 names a missing
 * one). Its id is the sha256 of the canonical manifest (see canonicalManifest); posting the same
 * files again answers the same version (200 instead of 201).
 */
export const createVersionRequest = z.strictObject({
  files: z.array(fileEntry).min(1).max(100_000),
  message: z.string().max(2000).default(''),
});
export type CreateVersionRequest = z.input<typeof createVersionRequest>;

/** An immutable dataset version. */
export const datasetVersion = z.object({
  datasetId: id,
  version: sha256Hex,
  message: z.string(),
  files: z.array(fileEntry),
  size: z.number().int(),
  createdAt: timestamp,
});
export type DatasetVersion = z.infer<typeof datasetVersion>;

/** GET /api/v1/datasets/:id/versions: newest first, without file lists. */
export const datasetVersionList = page(datasetVersion.omit({ files: true }));

/** GET /api/v1/datasets/:id/versions/:version. GET .../versions/:version/files/<path> answers raw bytes. */
export const versionParams = z.strictObject({ id, version: sha256Hex });
export const versionFileParams = z.strictObject({ id, version: sha256Hex, '*': relativePath });

/**
 * The text whose sha256 is a version's id: entries sorted by path (code-unit order), one JSON
 * array of [path, size, sha256] triples, no whitespace. Pure, so clients can verify a version.
 */
export function canonicalManifest(files: readonly FileEntry[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify(sorted.map((f) => [f.path, f.size, f.sha256]));
}

/**
 * POST /api/v1/datasets/:id/uploads — how to send one file's bytes: `exists` (the platform has
 * them already: nothing to send), `direct` (PUT them to .../blobs/:sha256, the sandbox), or
 * `presigned` (PUT each part to its URL, straight to S3, then POST .../uploads/complete with each
 * part's ETag; parts are `partSize` bytes, the last one the rest).
 */
export const startUploadRequest = z.strictObject({ sha256: sha256Hex, size: z.number().int().min(0) });
export type StartUploadRequest = z.infer<typeof startUploadRequest>;

export const startUploadResponse = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('exists'), sha256: sha256Hex, size: z.number().int() }),
  z.object({ mode: z.literal('direct') }),
  z.object({
    mode: z.literal('presigned'),
    uploadId: z.string(),
    partSize: z.number().int(),
    parts: z.array(z.object({ partNumber: z.number().int(), url: z.string() })),
    expiresAt: timestamp,
  }),
]);
export type StartUploadResponse = z.infer<typeof startUploadResponse>;

/** POST /api/v1/datasets/:id/uploads/complete: the platform completes the upload, checks size and sha256, and keeps the blob. */
export const completeUploadRequest = z.strictObject({
  uploadId: z.string().min(1).max(1024),
  sha256: sha256Hex,
  size: z.number().int().min(1),
  parts: z
    .array(z.strictObject({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }))
    .min(1)
    .max(10_000),
});
export type CompleteUploadRequest = z.infer<typeof completeUploadRequest>;
