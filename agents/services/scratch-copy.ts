import { chmod, copyFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion, type Db } from './db.js';
import { migrations } from './migrations.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-paths.js';

export interface ScratchCopy {
  file: string;
  db: Db;
  /** What PRAGMA integrity_check answered: "ok", or its first problems joined. */
  integrity: string;
  counts: { runs: number; capsules: number };
  /** Closes the copy (its WAL goes into the file); the file stays until remove(). */
  close(): void;
  remove(): Promise<void>;
}

export function integrityOf(db: Db): string {
  const rows = db.pragma('integrity_check(20)') as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).join('; ');
}

export function recordCounts(db: Db): { runs: number; capsules: number } {
  const count = (table: string) => (db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;
  return { runs: count('runs'), capsules: count('capsules') };
}

/**
 * Copies a backup into `dir` and opens the copy (never the backup itself): checked with
 * integrity_check first, then brought to this agent's schema by its migrations, so what it holds
 * is read as the live database would read it. A backup newer than this agent is refused.
 */
export async function openScratchCopy(backupFile: string, dir: string): Promise<ScratchCopy> {
  await ensurePrivateDir(dir);
  const file = join(dir, `${process.pid}-${Date.now()}-${basename(backupFile)}`);
  const remove = async () => {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) await rm(f, { force: true });
  };
  try {
    await copyFile(backupFile, file);
    await chmod(file, PRIVATE_FILE_MODE);
    const probe = new Database(file, { fileMustExist: true });
    let integrity: string;
    let version: number;
    try {
      integrity = integrityOf(probe);
      version = schemaVersion(probe);
    } finally {
      probe.close();
    }
    if (integrity !== 'ok') throw new ScratchError(`integrity_check found: ${integrity}`, integrity);
    if (version > migrations.length) throw new ScratchError(`the backup is at schema version ${version}, newer than this services agent (${migrations.length})`, integrity);
    const db = openDatabase(file);
    const close = () => {
      if (db.open) db.close();
    };
    return {
      file,
      db,
      integrity,
      counts: recordCounts(db),
      close,
      remove: async () => {
        close();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    if (error instanceof ScratchError) throw error;
    throw new ScratchError(`the backup does not open as a database: ${(error as Error).message}`, null);
  }
}

export class ScratchError extends Error {
  constructor(
    message: string,
    readonly integrity: string | null,
  ) {
    super(message);
    this.name = 'ScratchError';
  }
}
