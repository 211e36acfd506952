import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { checkDigest, spool, type ObjectStore } from './object-store.js';
import { S3DirectUploads } from './s3-direct-uploads.js';

/**
 * Objects in an S3 bucket under a prefix. The body is spooled to a local file first: that is where
 * the sha256 is checked before anything is stored, and PutObject needs the length up front.
 */
export class S3ObjectStore implements ObjectStore {
  readonly directUploads: S3DirectUploads;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly tmpDir: string,
  ) {
    this.directUploads = new S3DirectUploads(client, bucket, (key) => this.key(key));
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix.replace(/\/+$/, '')}/${key}` : key;
  }

  async put(key: string, body: Readable, expect: { sha256?: string; maxBytes?: number } = {}) {
    const spooled = await spool(this.tmpDir, body, expect.maxBytes);
    try {
      checkDigest(spooled.sha256, expect.sha256);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(key),
          Body: createReadStream(spooled.file),
          ContentLength: spooled.size,
          ChecksumSHA256: Buffer.from(spooled.sha256, 'hex').toString('base64'),
          ServerSideEncryption: 'AES256',
        }),
      );
    } finally {
      await rm(spooled.file, { force: true });
    }
    return { size: spooled.size, sha256: spooled.sha256 };
  }

  async get(key: string): Promise<Readable | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return (out.Body as Readable | undefined) ?? null;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }
}
