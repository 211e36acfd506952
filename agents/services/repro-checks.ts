import type { ReproCheck, ReproSchedule, ReproStatus } from '../../common/protocol/capsules.js';
import type { Comparison } from '../../common/protocol/results.js';
import { recordAudit } from './audit-log.js';
import type { Services } from './context.js';
import { nowIso } from './ids.js';

const HOURS: Record<Exclude<ReproSchedule, 'off'>, number> = { daily: 24, weekly: 168 };

interface CheckRow {
  n: number; capsule_id: string; baseline_run: string; check_run: string; started_at: string; finished_at: string | null;
  outcome: ReproCheck['outcome']; differences: number | null;
}

const toCheck = (r: CheckRow): ReproCheck => ({
  baselineRunId: r.baseline_run, checkRunId: r.check_run, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome, differences: r.differences,
});

const day = (iso: string) => iso.slice(0, 10);

function summaryOf(schedule: ReproSchedule, latest: ReproCheck | null, noBaseline: boolean): string {
  if (latest?.outcome === 'reproduces') return `reproduces as of ${day(latest.finishedAt!)}`;
  if (latest?.outcome === 'diverged') return `diverged on ${day(latest.finishedAt!)}: ${latest.differences} file${latest.differences === 1 ? '' : 's'} changed`;
  if (latest?.outcome === 'failed') return `the re-run of ${latest.baselineRunId} failed on ${day(latest.finishedAt!)}; its log says why`;
  if (latest) return `checking since ${latest.startedAt.replace('T', ' ').slice(0, 16)} UTC (re-running ${latest.baselineRunId})`;
  if (noBaseline) return 'no successful run to repeat yet';
  return schedule === 'off' ? 'not checked' : 'not checked yet';
}

/**
 * Scheduled reproducibility: a capsule marked daily or weekly has its last successful run repeated
 * from its record (same commit, environment, data, parameters) when due; when the re-run finishes
 * its results are compared with the original's, and the capsule reproduces or diverged. The
 * owner hears of a divergence through the audit trail (action "capsule.diverged", naming them).
 */
export class ReproChecks {
  constructor(
    private readonly s: Pick<Services, 'db' | 'writes' | 'users' | 'runs' | 'results'>,
    private readonly now: () => number = Date.now,
  ) {}

  status(capsuleId: string): ReproStatus {
    const row = this.s.db.prepare('SELECT check_every_hours AS h, check_next_at AS next FROM capsules WHERE id = ?').get(capsuleId) as { h: number | null; next: string | null };
    const schedule: ReproSchedule = row.h === null ? 'off' : row.h <= 24 ? 'daily' : 'weekly';
    const latest = this.s.db.prepare('SELECT * FROM repro_checks WHERE capsule_id = ? ORDER BY n DESC LIMIT 1').get(capsuleId) as CheckRow | undefined;
    const check = latest ? toCheck(latest) : null;
    return { capsuleId, schedule, nextCheckAt: row.h === null ? null : row.next, latest: check, summary: summaryOf(schedule, check, !check && !this.baseline(capsuleId)) };
  }

  /** Sets the schedule (the first check is due at once when turned on, or with `checkNow`). */
  async configure(capsuleId: string, schedule: ReproSchedule, checkNow: boolean, actor: { id: string; name: string }): Promise<ReproStatus> {
    await this.s.writes.run(() => {
      const hours = schedule === 'off' ? null : HOURS[schedule];
      const before = this.s.db.prepare('SELECT check_every_hours AS h FROM capsules WHERE id = ?').get(capsuleId) as { h: number | null };
      const next = hours === null ? null : checkNow || before.h === null ? nowIso() : undefined;
      if (next === undefined) this.s.db.prepare('UPDATE capsules SET check_every_hours = ? WHERE id = ?').run(hours, capsuleId);
      else this.s.db.prepare('UPDATE capsules SET check_every_hours = ?, check_next_at = ? WHERE id = ?').run(hours, next, capsuleId);
      recordAudit(this.s.db, { actor, action: 'capsule.check-schedule', targetKind: 'capsule', targetId: capsuleId, summary: `reproducibility check: ${schedule}${checkNow ? ', now' : ''}` });
    });
    if (checkNow && schedule === 'off') await this.start(capsuleId);
    await this.tick();
    return this.status(capsuleId);
  }

  private baseline(capsuleId: string): { id: string; user_id: string } | undefined {
    return this.s.db
      .prepare("SELECT id, user_id FROM runs WHERE capsule_id = ? AND state = 'succeeded' AND id NOT IN (SELECT check_run FROM repro_checks) ORDER BY n DESC LIMIT 1")
      .get(capsuleId) as { id: string; user_id: string } | undefined;
  }

  /** Starts checks that are due and settles the ones whose re-run has finished. Safe to call any time. */
  async tick(): Promise<void> {
    for (const pending of this.s.db.prepare("SELECT c.* FROM repro_checks c JOIN runs r ON r.id = c.check_run WHERE c.finished_at IS NULL AND r.state IN ('succeeded', 'failed', 'cancelled')").all() as CheckRow[]) {
      await this.settle(pending);
    }
    const due = this.s.db
      .prepare('SELECT id FROM capsules WHERE check_every_hours IS NOT NULL AND check_next_at <= ? AND id NOT IN (SELECT capsule_id FROM repro_checks WHERE finished_at IS NULL)')
      .all(new Date(this.now()).toISOString()) as Array<{ id: string }>;
    // One capsule's failure must not keep the capsules after it from being checked.
    const failures: unknown[] = [];
    for (const { id } of due) await this.start(id).catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} reproducibility check(s) could not start: ${failures.map(String).join('; ')}`);
  }

  /** Repeats the capsule's last successful run, as its owner, and moves its next check on. */
  private async start(capsuleId: string): Promise<void> {
    // One check at a time: a second "check now" while one runs would only compare the same runs twice.
    if (this.s.db.prepare('SELECT 1 FROM repro_checks WHERE capsule_id = ? AND finished_at IS NULL').get(capsuleId)) return;
    const hours = (this.s.db.prepare('SELECT check_every_hours AS h FROM capsules WHERE id = ?').get(capsuleId) as { h: number | null }).h;
    const next = hours === null ? null : new Date(this.now() + hours * 3600_000).toISOString();
    const baseline = this.baseline(capsuleId);
    if (!baseline) {
      await this.s.writes.run(() => this.s.db.prepare('UPDATE capsules SET check_next_at = ? WHERE id = ?').run(next, capsuleId));
      return;
    }
    const owner = this.s.users.getUser(baseline.user_id);
    let rerun: Awaited<ReturnType<Services['runs']['rerun']>>;
    try {
      if (!owner) throw new Error(`the user who launched ${baseline.id} no longer exists`);
      rerun = await this.s.runs.rerun(baseline.id, owner);
    } catch (error) {
      // A check that cannot start (its launcher gone, its secrets unreadable) is told to the owner
      // once and tried again at the next period, not every minute.
      const reason = error instanceof Error ? error.message : String(error);
      const capsuleOwner = (this.s.db.prepare('SELECT owner_id FROM capsules WHERE id = ?').get(capsuleId) as { owner_id: string }).owner_id;
      await this.s.writes.run(() => {
        this.s.db.prepare('UPDATE capsules SET check_next_at = ? WHERE id = ?').run(next, capsuleId);
        recordAudit(this.s.db, { actor: null, action: 'capsule.failed', targetKind: 'capsule', targetId: capsuleId, summary: `the check could not re-run ${baseline.id}: ${reason}`, detail: { baselineRunId: baseline.id, notify: capsuleOwner } });
      });
      return;
    }
    await this.s.writes.run(() => {
      this.s.db.prepare('INSERT INTO repro_checks (capsule_id, baseline_run, check_run, started_at) VALUES (?, ?, ?, ?)').run(capsuleId, baseline.id, rerun.id, nowIso());
      this.s.db.prepare('UPDATE capsules SET check_next_at = ? WHERE id = ?').run(next, capsuleId);
      recordAudit(this.s.db, { actor: null, action: 'capsule.check', targetKind: 'capsule', targetId: capsuleId, summary: `re-running ${baseline.id} as ${rerun.id} to check it still reproduces` });
    });
  }

  /** Called when a run finishes: settles the check it belongs to, if any. */
  async finished(runId: string): Promise<void> {
    const row = this.s.db.prepare('SELECT * FROM repro_checks WHERE check_run = ? AND finished_at IS NULL').get(runId) as CheckRow | undefined;
    if (row) await this.settle(row);
  }

  private async settle(row: CheckRow): Promise<void> {
    const rerun = this.s.runs.get(row.check_run);
    let comparison: Comparison | null = null;
    if (rerun.state === 'succeeded') comparison = this.s.results.compare(row.baseline_run, row.check_run);
    const differences = comparison ? comparison.changed.length + comparison.added.length + comparison.removed.length : null;
    const outcome = comparison === null ? 'failed' : comparison.identical ? 'reproduces' : 'diverged';
    const owner = (this.s.db.prepare('SELECT owner_id FROM capsules WHERE id = ?').get(row.capsule_id) as { owner_id: string }).owner_id;
    await this.s.writes.run(() => {
      const updated = this.s.db
        .prepare('UPDATE repro_checks SET finished_at = ?, outcome = ?, differences = ?, comparison = ? WHERE n = ? AND finished_at IS NULL')
        .run(nowIso(), outcome, differences, comparison ? JSON.stringify(comparison) : null, row.n);
      if (updated.changes === 0) return;
      const summary = outcome === 'diverged' ? `diverged: ${differences} file(s) differ between ${row.baseline_run} and ${row.check_run}` : outcome === 'reproduces' ? `reproduces: ${row.check_run} matches ${row.baseline_run}` : `the check re-run ${row.check_run} did not succeed`;
      recordAudit(this.s.db, { actor: null, action: `capsule.${outcome}`, targetKind: 'capsule', targetId: row.capsule_id, summary, detail: { baselineRunId: row.baseline_run, checkRunId: row.check_run, notify: owner, ...(comparison ? { comparison } : {}) } });
    });
  }
}

/**
 * Runs the checks: a settle as soon as any run finishes, and a look for due checks every
 * `intervalMs`. Answers the function that stops it.
 */
export function startReproChecks(s: Pick<Services, 'checks' | 'leases'>, intervalMs: number, log: (message: string) => void): () => void {
  const report = (error: unknown) => log(`reproducibility check failed: ${String(error)}`);
  let stopped = false;
  s.leases.onFinished((f) => {
    if (!stopped) s.checks.finished(f.run.id).catch(report);
  });
  const timer = setInterval(() => void s.checks.tick().catch(report), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
