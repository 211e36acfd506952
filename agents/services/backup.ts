import { createReadStream } from 'node:fs';
import { chmod, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { backupName, type DatabaseBackup } from '../../common/protocol/backups.js';
import type { Db } from './db.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-paths.js';

/** Sends a finished backup file somewhere safe (S3 on AWS). */
export interface BackupUploader {
  upload(file: string): Promise<void>;
  /** Where the copies go, for people ("s3://bucket/backups/"). */
  readonly location?: string;
}

export type BackupKind = DatabaseBackup['kind'];

const SUFFIX: Record<BackupKind, string> = { scheduled: '', manual: '-manual', 'before-restore': '-before-restore' };
const BACKUP_FILE = /^benchtop-(?<stamp>[0-9TZ-]+?)(?<kind>-manual|-before-restore)?\.sqlite$/;

/** When a backup file was taken and why, from its name; null for a file that is not a backup. */
export function parseBackupName(name: string): { createdAt: string; kind: BackupKind } | null {
  const match = BACKUP_FILE.exec(name);
  if (!match?.groups || !backupName.safeParse(name).success) return null;
  const stamp = match.groups.stamp!;
  const iso = stamp.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z');
  if (Number.isNaN(Date.parse(iso))) return null;
  const kind = match.groups.kind === '-manual' ? 'manual' : match.groups.kind === '-before-restore' ? 'before-restore' : 'scheduled';
  return { createdAt: new Date(iso).toISOString(), kind };
}

export class S3BackupUploader implements BackupUploader {
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
  private nextAt: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: BackupOptions,
  ) {}

  get dir(): string {
    return this.options.dir;
  }

  get keep(): number {
    return this.options.keep ?? 7;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  get uploadedTo(): string | null {
    return this.options.uploader?.location ?? null;
  }

  /** When the schedule takes the next one; null when it is not running. */
  get nextBackupAt(): number | null {
    return this.nextAt;
  }

  /** The backups on disk, newest first. */
  async list(): Promise<DatabaseBackup[]> {
    const names = await readdir(this.options.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const out: DatabaseBackup[] = [];
    for (const name of names) {
      const parsed = parseBackupName(name);
      if (!parsed) continue;
      const info = await stat(join(this.options.dir, name)).catch(() => null);
      if (info) out.push({ name, bytes: info.size, ...parsed });
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Takes one backup now and answers its file. Backups are serialised: one at a time. */
  backupNow(kind: BackupKind = 'scheduled'): Promise<string> {
    const next = this.running.catch(() => null).then(() => this.takeBackup(kind));
    this.running = next.catch(() => null);
    return next;
  }

  private async takeBackup(kind: BackupKind): Promise<string> {
    await ensurePrivateDir(this.options.dir);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(this.options.dir, `benchtop-${stamp}${SUFFIX[kind]}.sqlite`);
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
    this.nextAt = Date.now() + this.options.intervalMs;
    this.timer ??= setInterval(() => {
      this.nextAt = Date.now() + this.options.intervalMs;
      this.backupNow('scheduled').catch((error: unknown) => this.options.onError?.(error));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.nextAt = null;
    await this.running;
  }
}
