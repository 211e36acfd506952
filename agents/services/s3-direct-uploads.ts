import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { partSizeFor, type CompletedPart, type DirectUploads } from './direct-uploads.js';
import { badInput } from './http-error.js';
import { presignUrl, s3ObjectUrl } from './s3-presign.js';

/** Part URLs stay valid this long: a slow link uploading one large file still finishes. */
const URL_LIFETIME_SECONDS = 6 * 3600;

/**
 * Multipart uploads to S3 with pre-signed part URLs (SigV4 query signing with the agent's own
 * credentials, the instance role on AWS). Verification reads the object back once: S3 keeps no
 * whole-object sha256 of a multipart upload, only per-part checksums.
 */
export class S3DirectUploads implements DirectUploads {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly fullKey: (key: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async objectUrl(key: string, query: Record<string, string>): Promise<URL> {
    const endpoint = this.client.config.endpoint ? await this.client.config.endpoint() : undefined;
    const url = s3ObjectUrl({
      bucket: this.bucket,
      key: this.fullKey(key),
      region: await this.client.config.region(),
      ...(endpoint ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}` } : {}),
      forcePathStyle: this.client.config.forcePathStyle === true,
    });
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  async begin(key: string, size: number) {
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.fullKey(key), ServerSideEncryption: 'AES256' }));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error('S3 CreateMultipartUpload answered no UploadId');
    const partSize = partSizeFor(size);
    const count = Math.max(1, Math.ceil(size / partSize));
    const credentials = await this.client.config.credentials();
    const region = await this.client.config.region();
    const now = this.now();
    const parts = [];
    for (let partNumber = 1; partNumber <= count; partNumber++) {
      const url = await this.objectUrl(key, { partNumber: String(partNumber), uploadId });
      parts.push({ partNumber, url: presignUrl({ method: 'PUT', url, region, credentials, expiresInSeconds: URL_LIFETIME_SECONDS, now }) });
    }
    return { uploadId, partSize, parts, expiresAt: new Date(now.getTime() + URL_LIFETIME_SECONDS * 1000).toISOString() };
  }

  async complete(key: string, uploadId: string, parts: CompletedPart[], expect: { size: number; sha256: string }): Promise<void> {
    const Key = this.fullKey(key);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) } }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchUpload' || name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
        throw badInput(`S3 refused to complete the upload (${name}): ${(error as Error).message}; start the upload of this file again`);
      }
      throw error;
    }
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
    if (head.ContentLength !== expect.size) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
      throw badInput(`the uploaded object has ${head.ContentLength ?? 0} bytes, not ${expect.size}; it was deleted, upload the file again`);
    }
    const body = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }))).Body as Readable | undefined;
    const hash = createHash('sha256');
    if (body) for await (const chunk of body) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== expect.sha256) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
      throw badInput(`the uploaded bytes hash to sha256 ${actual}, not ${expect.sha256}; the object was deleted, upload the file again`);
    }
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.fullKey(key), UploadId: uploadId }));
  }
}
