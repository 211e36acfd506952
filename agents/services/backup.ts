import { createReadStream } from 'node:fs';
import { chmod, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Db } from './db.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-paths.js';

/** Sends a finished backup file somewhere safe (S3 on AWS). */
export interface BackupUploader {
  upload(file: string): Promise<void>;
}

export class S3BackupUploader implements BackupUploader {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'backups/',
  ) {}

  async upload(file: string): Promise<void> {
    const { size } = await stat(file);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${this.prefix}${basename(file)}`,
        Body: createReadStream(file),
        ContentLength: size,
        ServerSideEncryption: 'AES256',
      }),
    );
  }
}

export interface BackupOptions {
  dir: string;
  intervalMs: number;
  /** Local backups kept; older ones are deleted after each new one. */
  keep?: number;
  uploader?: BackupUploader;
  onError?: (error: unknown) => void;
}

/**
 * Online backups with SQLite's backup API (db.backup): a consistent copy taken while the agent
 * keeps serving, written to a file, the oldest pruned, then handed to the uploader.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string | null> = Promise.resolve(null);

  constructor(
    private readonly db: Db,
    private readonly options: BackupOptions,
  ) {}

  /** Takes one backup now and answers its file. */
  async backupNow(): Promise<string> {
    await ensurePrivateDir(this.options.dir);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(this.options.dir, `benchtop-${stamp}.sqlite`);
    // Created 0600 first: SQLite keeps the mode of a file it opens, and a backup holds every token hash.
    await writeFile(file, '', { mode: PRIVATE_FILE_MODE });
    await this.db.backup(file);
    await chmod(file, PRIVATE_FILE_MODE);
    await this.prune();
    await this.options.uploader?.upload(file);
    return file;
  }

  private async prune(): Promise<void> {
    const keep = this.options.keep ?? 7;
    const files = (await readdir(this.options.dir)).filter((f) => /^benchtop-.*\.sqlite$/.test(f)).sort();
    for (const old of files.slice(0, Math.max(0, files.length - keep))) await rm(join(this.options.dir, old), { force: true });
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() => this.backupNow()).catch((error: unknown) => {
        this.options.onError?.(error);
        return null;
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
