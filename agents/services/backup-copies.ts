import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PRIVATE_FILE_MODE } from './private-paths.js';

/** Copies of the backup files kept away from the services machine (S3 on AWS). */
export interface BackupCopies {
  /** Where the copies are, for people ("s3://bucket/backups/"). */
  readonly location: string;
  upload(file: string): Promise<void>;
  /** Every copy by file name, with its size. */
  list(): Promise<Array<{ name: string; bytes: number }>>;
  /**
   * Writes the copy named `name` to `file` (0600), checked against the sha256 it was uploaded
   * with; false when there is no such copy.
   */
  download(name: string, file: string): Promise<boolean>;
}

/** A downloaded copy whose bytes are not the ones uploaded. */
export class DamagedCopyError extends Error {}

/** The sha256 a copy carries as user metadata, to check a download against. */
const SHA256_META = 'sha256';

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const isMissing = (error: unknown) => ['NoSuchKey', 'NotFound'].includes((error as { name?: string }).name ?? '');

export class S3BackupCopies implements BackupCopies {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'backups/',
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async upload(file: string): Promise<void> {
    const { size } = await stat(file);
    const sha256 = await sha256Of(file);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.prefix}${basename(file)}`,
        Body: createReadStream(file),
        ContentLength: size,
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        Metadata: { [SHA256_META]: sha256 },
        ServerSideEncryption: 'AES256',
      }),
    );
  }

  async list(): Promise<Array<{ name: string; bytes: number }>> {
    const out: Array<{ name: string; bytes: number }> = [];
    let token: string | undefined;
    // Bounded: 100 pages of 1,000 keys is far more backups than any schedule keeps.
    for (let page = 0; page < 100; page++) {
      const answer = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of answer.Contents ?? []) {
        const name = o.Key?.slice(this.prefix.length) ?? '';
        if (name && !name.includes('/')) out.push({ name, bytes: o.Size ?? 0 });
      }
      token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
      if (!token) break;
    }
    return out;
  }

  async download(name: string, file: string): Promise<boolean> {
    let answer;
    try {
      answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}` }));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if (!answer.Body) return false;
    try {
      await pipeline(answer.Body as Readable, createWriteStream(file, { mode: PRIVATE_FILE_MODE }));
      const expected = answer.Metadata?.[SHA256_META];
      const actual = await sha256Of(file);
      if (expected && expected !== actual) throw new DamagedCopyError(`the copy of ${name} in ${this.location} hashes to sha256 ${actual}, not the ${expected} it was uploaded with`);
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return true;
  }
}
