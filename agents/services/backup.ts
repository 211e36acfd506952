import { randomBytes } from 'node:crypto';
import { chmod, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { backupName, type DatabaseBackup } from '../../common/protocol/backups.js';
import { type BackupCopies, DamagedCopyError } from './backup-copies.js';
import type { Db } from './db.js';
import { conflict, notFound } from './http-error.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-paths.js';

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

const newestFirst = (list: DatabaseBackup[]) => list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

export interface BackupOptions {
  dir: string;
  intervalMs: number;
  /** Local backups kept; older ones are deleted after each new one. */
  keep?: number;
  /** Where each backup is copied once written (S3 on AWS); listed and restorable too. */
  copies?: BackupCopies;
  onError?: (error: unknown) => void;
}

/**
 * Online backups with SQLite's backup API (db.backup): a consistent copy taken while the agent
 * keeps serving, written to a file, the oldest pruned, then copied away (BackupCopies).
 */
export class BackupScheduler {
  /** Why the newest backup has no copy, until one is copied again. */
  private copyError: string | null = null;
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
    return this.options.copies?.location ?? null;
  }

  /** When the schedule takes the next one; null when it is not running. */
  get nextBackupAt(): number | null {
    return this.nextAt;
  }

  /** The backups on disk, newest first. */
  async listLocal(): Promise<DatabaseBackup[]> {
    const names = await readdir(this.options.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const out: DatabaseBackup[] = [];
    for (const name of names) {
      const parsed = parseBackupName(name);
      if (!parsed) continue;
      const info = await stat(join(this.options.dir, name)).catch(() => null);
      if (info) out.push({ name, bytes: info.size, ...parsed, keptIn: ['local'] });
    }
    return newestFirst(out);
  }

  /**
   * The local backups and the uploaded copies, newest first, each saying where it is kept. The
   * copies outlive local pruning, so older backups may be kept only there. When the copies cannot
   * be listed, the local ones still are, with the reason.
   */
  async list(): Promise<{ items: DatabaseBackup[]; copiesError: string | null }> {
    const local = await this.listLocal();
    if (!this.options.copies) return { items: local, copiesError: null };
    let copies: Array<{ name: string; bytes: number }>;
    try {
      copies = await this.options.copies.list();
    } catch (error) {
      const listing = `the copies in ${this.options.copies.location} could not be listed: ${(error as Error).message}`;
      return { items: local, copiesError: this.copyError ? `${this.copyError}; ${listing}` : listing };
    }
    const byName = new Map(local.map((b) => [b.name, b]));
    for (const copy of copies) {
      const parsed = parseBackupName(copy.name);
      if (!parsed) continue;
      const here = byName.get(copy.name);
      byName.set(copy.name, here ? { ...here, keptIn: ['local', 'uploaded'] } : { name: copy.name, bytes: copy.bytes, ...parsed, keptIn: ['uploaded'] });
    }
    return { items: newestFirst([...byName.values()]), copiesError: this.copyError };
  }

  /**
   * A file holding the backup `name` for a restore or a drill: the local file, or else the uploaded
   * copy downloaded into `scratchDir` (checked against the sha256 it was uploaded with). `release`
   * removes what was downloaded. Not found: 404.
   */
  async fetch(name: string, scratchDir: string): Promise<{ file: string; from: 'local' | 'uploaded'; release: () => Promise<void> }> {
    if (parseBackupName(name) && (await this.listLocal()).some((b) => b.name === name)) {
      return { file: join(this.options.dir, name), from: 'local', release: async () => undefined };
    }
    if (this.options.copies && parseBackupName(name)) {
      await ensurePrivateDir(scratchDir);
      const file = join(scratchDir, `download-${randomBytes(6).toString('hex')}-${name}`);
      let found: boolean;
      try {
        found = await this.options.copies.download(name, file);
      } catch (error) {
        if (error instanceof DamagedCopyError) throw conflict(`backup ${name} cannot be restored: ${error.message}; pick another backup`);
        throw error;
      }
      if (found) return { file, from: 'uploaded', release: () => rm(file, { force: true }) };
    }
    throw notFound(`backup ${name}`);
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
    // The backup is made and kept here: a copy that cannot be uploaded (S3 down, no permission) is
    // reported, not a failed backup — a restore's safety backup must not depend on S3.
    if (this.options.copies) {
      try {
        await this.options.copies.upload(file);
        this.copyError = null;
      } catch (error) {
        this.copyError = `${basename(file)} is kept on the services machine but could not be copied to ${this.options.copies.location}: ${(error as Error).message}`;
        this.options.onError?.(error);
      }
    }
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
