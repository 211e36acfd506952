import { z } from 'zod';
import { timestamp } from './common.js';

// The services agent's own online database backups (SQLite's backup API: a consistent copy
// taken while it serves), restores from them, and restore drills that prove a backup opens.

export const backupName = z.string().regex(/^benchtop-[0-9TZ-]{10,40}(-manual|-before-restore)?\.sqlite$/, 'must be a backup file name like "benchtop-2026-12-01T10-00-00-000Z.sqlite"');

export const databaseBackup = z.object({
  name: backupName,
  createdAt: timestamp,
  bytes: z.number().int(),
  /** Before restoring, the agent backs up the live database too; such a copy is marked. */
  kind: z.enum(['scheduled', 'manual', 'before-restore']),
  /** Where it is kept: a file on the services machine, and/or a copy in `uploadedTo` (S3). */
  keptIn: z.array(z.enum(['local', 'uploaded'])).default(['local']),
});
export type DatabaseBackup = z.infer<typeof databaseBackup>;

export const restoreDrill = z.object({
  id: z.number().int(),
  startedAt: timestamp,
  finishedAt: timestamp,
  trigger: z.enum(['manual', 'schedule']),
  /** The backup it restored (null when there was none). */
  backup: backupName.nullable(),
  ok: z.boolean(),
  /** What PRAGMA integrity_check answered ("ok", or its first problems). */
  integrity: z.string().nullable(),
  backupRuns: z.number().int().nullable(),
  backupCapsules: z.number().int().nullable(),
  liveRuns: z.number().int(),
  liveCapsules: z.number().int(),
  /** One sentence: what was checked, or what failed. */
  message: z.string(),
});
export type RestoreDrill = z.infer<typeof restoreDrill>;

/** GET /api/v1/backups (admin): newest first. */
export const backupList = z.object({
  items: z.array(databaseBackup),
  /** Where the copies are: a folder on the services machine, and the bucket on AWS. */
  location: z.string(),
  uploadedTo: z.string().nullable(),
  /** Why the uploaded copies are missing from the list, when they could not be read. */
  copiesError: z.string().nullable().default(null),
  intervalSeconds: z.number().nullable(),
  nextAt: timestamp.nullable(),
  keep: z.number().int(),
  lastDrill: restoreDrill.nullable(),
  drillIntervalSeconds: z.number().nullable(),
});
export type BackupList = z.infer<typeof backupList>;

export const backupParams = z.strictObject({ name: backupName });

/** POST /api/v1/backups/:name/restore (admin): the live database now holds the backup's records. */
export const restoreResult = z.object({
  restored: backupName,
  /** The live database as it was just before, restorable in turn. */
  safetyBackup: backupName,
  runs: z.number().int(),
  capsules: z.number().int(),
  /** Queued runs of the backup go on; runs it shows leased or running are requeued when their leases lapse. */
  message: z.string(),
});
export type RestoreResult = z.infer<typeof restoreResult>;

export const drillList = z.object({ items: z.array(restoreDrill) });
