import type { RestoreDrill } from '../../common/protocol/backups.js';
import type { BackupScheduler } from './backup.js';
import type { Db, WriteQueue } from './db.js';
import { nowIso } from './ids.js';
import { openScratchCopy, recordCounts, ScratchError } from './scratch-copy.js';

interface DrillRow {
  n: number; started_at: string; finished_at: string; trigger: 'manual' | 'schedule'; backup: string | null; ok: number;
  integrity: string | null; backup_runs: number | null; backup_capsules: number | null; live_runs: number; live_capsules: number; message: string;
}

const toDrill = (r: DrillRow): RestoreDrill => ({
  id: r.n,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  trigger: r.trigger,
  backup: r.backup,
  ok: r.ok === 1,
  integrity: r.integrity,
  backupRuns: r.backup_runs,
  backupCapsules: r.backup_capsules,
  liveRuns: r.live_runs,
  liveCapsules: r.live_capsules,
  message: r.message,
});

function age(fromIso: string, now: number): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

export interface RestoreDrillsOptions {
  db: Db;
  writes: WriteQueue;
  backups: BackupScheduler;
  scratchDir: string;
  /** Null: on demand only. */
  intervalMs: number | null;
  log?: (message: string) => void;
}

/**
 * Proves the newest backup restores: it is copied into a scratch file, opened, checked with
 * `PRAGMA integrity_check` and migrated to this agent's schema, and its runs and capsules are
 * counted beside the live database's. Nothing live is touched. Each drill is recorded.
 */
export class RestoreDrills {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RestoreDrill> | null = null;

  constructor(private readonly options: RestoreDrillsOptions) {}

  get intervalMs(): number | null {
    return this.options.intervalMs;
  }

  list(limit = 20): RestoreDrill[] {
    return (this.options.db.prepare('SELECT * FROM restore_drills ORDER BY n DESC LIMIT ?').all(limit) as DrillRow[]).map(toDrill);
  }

  last(): RestoreDrill | null {
    return this.list(1)[0] ?? null;
  }

  /** One drill at a time: a second request while one runs answers that one. */
  run(trigger: RestoreDrill['trigger']): Promise<RestoreDrill> {
    this.running ??= this.drill(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drill(trigger: RestoreDrill['trigger']): Promise<RestoreDrill> {
    const startedAt = nowIso();
    const live = recordCounts(this.options.db);
    const newest = (await this.options.backups.list()).items[0];
    let outcome: { backup: string | null; ok: boolean; integrity: string | null; runs: number | null; capsules: number | null; message: string };
    if (!newest) {
      outcome = { backup: null, ok: false, integrity: null, runs: null, capsules: null, message: 'There is no backup to restore yet; take one first.' };
    } else {
      try {
        // The newest may be kept only in the uploaded copies: the drill then proves that copy restores.
        const source = await this.options.backups.fetch(newest.name, this.options.scratchDir);
        const scratch = await openScratchCopy(source.file, this.options.scratchDir).finally(() => source.release());
        await scratch.remove();
        const n = (v: number) => v.toLocaleString('en-US');
        outcome = {
          backup: newest.name,
          ok: true,
          integrity: scratch.integrity,
          runs: scratch.counts.runs,
          capsules: scratch.counts.capsules,
          message: `Restored ${newest.name} (${age(newest.createdAt, Date.now())} old) into a scratch copy: integrity ok, ${n(scratch.counts.runs)} runs and ${n(scratch.counts.capsules)} capsules (live: ${n(live.runs)} runs, ${n(live.capsules)} capsules).`,
        };
      } catch (error) {
        const integrity = error instanceof ScratchError ? error.integrity : null;
        outcome = { backup: newest.name, ok: false, integrity, runs: null, capsules: null, message: `${newest.name} did not restore: ${(error as Error).message}.` };
      }
    }
    if (!outcome.ok) this.options.log?.(`restore drill failed: ${outcome.message}`);
    const n = await this.options.writes.run(
      () =>
        (
          this.options.db
            .prepare(
              `INSERT INTO restore_drills (started_at, finished_at, trigger, backup, ok, integrity, backup_runs, backup_capsules, live_runs, live_capsules, message)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING n`,
            )
            .get(startedAt, nowIso(), trigger, outcome.backup, outcome.ok ? 1 : 0, outcome.integrity, outcome.runs, outcome.capsules, live.runs, live.capsules, outcome.message) as { n: number }
        ).n,
    );
    return toDrill(this.options.db.prepare('SELECT * FROM restore_drills WHERE n = ?').get(n) as DrillRow);
  }

  start(): void {
    if (this.options.intervalMs === null) return;
    this.timer ??= setInterval(() => void this.run('schedule').catch((error: Error) => this.options.log?.(`restore drill failed: ${error.message}`)), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
