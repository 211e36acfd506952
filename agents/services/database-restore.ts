import { basename } from 'node:path';
import type { RestoreResult } from '../../common/protocol/backups.js';
import type { User } from '../../common/protocol/users.js';
import { recordAudit } from './audit-log.js';
import type { BackupScheduler } from './backup.js';
import type { Db, WriteQueue } from './db.js';
import { conflict } from './http-error.js';
import { openScratchCopy, recordCounts, ScratchError, type ScratchCopy } from './scratch-copy.js';

/**
 * Tables a restore leaves as they are now. People and tokens: a restore must not bring back a
 * token revoked since the backup, nor drop one made since. The audit trail and the drill history
 * record what happened, restores included; the agent's settings (local rate, budget) are
 * configuration, not records.
 */
const KEPT = new Set(['users', 'users_v2', 'tokens', 'audit', 'restore_drills', 'platform_settings']);

/** Tables the restore replaces: every table of the live schema but the kept ones and those that refuse deletes. */
function restoredTables(db: Db): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as Array<{ name: string }>;
  const guarded = new Set(
    (db.prepare("SELECT tbl_name FROM sqlite_schema WHERE type = 'trigger' AND upper(sql) LIKE '%BEFORE DELETE%'").all() as Array<{ tbl_name: string }>).map((t) => t.tbl_name),
  );
  return tables.map((t) => t.name).filter((t) => !KEPT.has(t) && !guarded.has(t));
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface RestoreDeps {
  db: Db;
  writes: WriteQueue;
  backups: BackupScheduler;
  /** Where the backup is copied and migrated before it is read. */
  scratchDir: string;
  /** After the records changed (capsule heads checked against their repositories, workers woken). */
  afterRestore: () => Promise<void>;
}

/**
 * Puts a backup's records into the live database, in one transaction, while the agent keeps
 * serving: the live database is backed up first (restorable in turn), the backup is copied,
 * checked and migrated in a scratch file, then each table is emptied and refilled from it.
 * Finished runs deleted since the backup come back; runs made since it are gone (they are in the
 * safety backup).
 */
export async function restoreFromBackup(deps: RestoreDeps, name: string, user: User): Promise<RestoreResult> {
  // A backup kept only in the uploaded copies (S3) is downloaded into scratch first.
  const source = await deps.backups.fetch(name, deps.scratchDir);
  let scratch: ScratchCopy;
  try {
    scratch = await openScratchCopy(source.file, deps.scratchDir);
  } catch (error) {
    if (error instanceof ScratchError) throw conflict(`backup ${name} cannot be restored: ${error.message}; pick another backup`);
    throw error;
  } finally {
    await source.release();
  }
  let safety: string;
  try {
    safety = basename(await deps.backups.backupNow('before-restore'));
  } catch (error) {
    await scratch.remove();
    throw error;
  }
  const attached = 'restored_backup';
  scratch.close();
  // ATTACH cannot run inside a transaction; none is open between two turns of the WriteQueue.
  deps.db.prepare(`ATTACH DATABASE ? AS ${attached}`).run(scratch.file);
  try {
    await deps.writes.run(() => {
      deps.db.pragma('defer_foreign_keys = ON');
      for (const table of restoredTables(deps.db)) {
        const columns = (deps.db.pragma(`table_info(${quote(table)})`) as Array<{ name: string }>).map((c) => quote(c.name));
        const inBackup = deps.db.prepare(`SELECT count(*) AS c FROM ${attached}.sqlite_schema WHERE type = 'table' AND name = ?`).get(table) as { c: number };
        deps.db.prepare(`DELETE FROM main.${quote(table)}`).run();
        if (inBackup.c === 0) continue;
        const list = columns.join(', ');
        deps.db.prepare(`INSERT INTO main.${quote(table)} (${list}) SELECT ${list} FROM ${attached}.${quote(table)}`).run();
      }
      recordAudit(deps.db, {
        actor: { id: user.id, name: user.name },
        action: 'backup.restore',
        targetKind: 'backup',
        targetId: name,
        summary: `restored the database from ${name} (the live one was kept as ${safety})`,
        detail: { safetyBackup: safety },
      });
    });
  } finally {
    deps.db.prepare(`DETACH DATABASE ${attached}`).run();
    await scratch.remove().catch(() => undefined);
  }
  await deps.afterRestore();
  const counts = recordCounts(deps.db);
  return {
    restored: name,
    safetyBackup: safety,
    ...counts,
    message: `The platform now holds the records of ${name}: ${counts.runs} runs and ${counts.capsules} capsules. Runs it shows as leased or running go back to the queue when their leases lapse; ${safety} holds the database as it was just before.`,
  };
}
