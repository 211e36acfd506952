/** A part of a multipart upload the client sends straight to storage, and the answer it got. */
export interface UploadPart {
  partNumber: number;
  url: string;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/**
 * Uploads that bypass the services agent: it hands out pre-signed part URLs, the client sends
 * the bytes to storage itself, and the agent completes the upload and checks what arrived (size
 * and sha256) before anything may use it. Only stores with such URLs (S3) offer this.
 */
export interface DirectUploads {
  begin(key: string, size: number): Promise<{ uploadId: string; partSize: number; parts: UploadPart[]; expiresAt: string }>;
  /** Completes the upload and verifies it; a mismatch deletes the object and throws a 400 naming what differed. */
  complete(key: string, uploadId: string, parts: CompletedPart[], expect: { size: number; sha256: string }): Promise<void>;
  /** Drops an upload's parts without writing the object. */
  abort(key: string, uploadId: string): Promise<void>;
}

/** S3 takes at most 10,000 parts of at least 5 MiB (the last may be smaller). */
export const MIN_PART_BYTES = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export function partSizeFor(size: number): number {
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / mib) * mib);
}
