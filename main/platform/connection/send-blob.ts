import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { PlatformClient } from '../../../lib/protocol/client.js';
import { ApiError } from '../../../common/api/errors.js';

/** The sha256 of a staged file, read in one pass. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readSlice(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Puts one staged file on the platform the way it asks: nothing when it has the bytes, through the
 * services agent (sandbox), or part by part to pre-signed S3 URLs and then completed, which the
 * agent verifies (AWS). `fetchPart` sends a part; tests point it at a local stand-in.
 */
export interface SendBlobOptions {
  fetchPart?: typeof fetch | undefined;
  /** The platform said "direct" before: PUT the bytes without asking (the PUT is idempotent). */
  knownDirect?: boolean;
  onDirect?: () => void;
}

export async function sendBlob(client: PlatformClient, datasetId: string, file: string, size: number, options: SendBlobOptions = {}): Promise<string> {
  const fetchPart = options.fetchPart ?? ((input, init) => fetch(input, init));
  const sha256 = await hashFile(file);
  const start = options.knownDirect ? ({ mode: 'direct' } as const) : await client.startUpload(datasetId, { sha256, size });
  if (start.mode === 'exists') return sha256;
  if (start.mode === 'direct') {
    options.onDirect?.();
    // Small files in one buffer (most datasets are many of them); large ones streamed.
    const body = size < 1024 * 1024 ? new Uint8Array(await readFile(file)) : (Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
    await client.uploadBlob(datasetId, sha256, body);
    return sha256;
  }
  const parts = [];
  for (const part of start.parts) {
    const bytes = await readSlice(file, (part.partNumber - 1) * start.partSize, start.partSize);
    const res = await fetchPart(part.url, { method: 'PUT', body: bytes });
    const etag = res.headers.get('etag');
    if (!res.ok || !etag) {
      const text = await res.text().catch(() => '');
      throw new ApiError('unavailable', `S3 refused part ${part.partNumber} of a dataset file (${res.status}): ${text.slice(0, 200)}`, 'Try the upload again; it goes on from this file.');
    }
    parts.push({ partNumber: part.partNumber, etag });
  }
  await client.completeUpload(datasetId, { uploadId: start.uploadId, sha256, size, parts });
  return sha256;
}
