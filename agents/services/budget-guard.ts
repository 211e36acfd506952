import { z } from 'zod';
import type { BudgetSettingsRequest, BudgetState } from '../../common/protocol/cost.js';
import type { User } from '../../common/protocol/users.js';
import { recordAudit } from './audit-log.js';
import type { Db, WriteQueue } from './db.js';
import { badInput } from './http-error.js';
import { nowIso } from './ids.js';
import type { PlatformSettings } from './platform-settings.js';
import { LocalBudgetSource, monthBounds, type BudgetReading, type BudgetSource } from './budget-source.js';

const SETTINGS_KEY = 'budget';
const stored = z.object({
  hardStop: z.boolean(),
  basis: z.enum(['actual', 'forecast']),
  paused: z.boolean(),
  reason: z.string().nullable(),
  resumed: z.object({ month: z.string(), limitUsd: z.number().nullable(), at: z.string(), by: z.string() }).nullable(),
});
type Stored = z.infer<typeof stored>;
const DEFAULTS: Stored = { hardStop: true, basis: 'actual', paused: false, reason: null, resumed: null };

export interface BudgetGuardOptions {
  db: Db;
  writes: WriteQueue;
  settings: PlatformSettings;
  /** Null: no budget (a platform on AWS without one). */
  source: BudgetSource | null;
  intervalMs: number;
  /** Leasing may go on again: wake the workers waiting for runs. */
  onResume: () => void;
  now?: () => number;
  log?: (message: string) => void;
}

const dollars = (usd: number) => `$${usd.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

/** The waiting reason of queued runs while the budget holds them. */
export function pausedReason(limitUsd: number, basis: 'actual' | 'forecast'): string {
  return `paused: the monthly budget of ${dollars(limitUsd)} is ${basis === 'forecast' ? 'forecast to be reached' : 'reached'}; an admin can raise it or resume`;
}

/**
 * The budget's hard stop. On a schedule (and at once after a run's cost is recorded) it reads the
 * budget; when the month's actual spend — or its forecast, if chosen — reaches the limit, leasing
 * pauses: queued runs stay queued with the reason, running runs finish. An admin resumes (for
 * the rest of this month at this limit) or raises the limit. The pause state is kept in the
 * database, so a restarted agent does not lease in the gap before its first reading; every pause,
 * resume and change is in the audit trail.
 */
export class BudgetGuard {
  private reading: BudgetReading | null = null;
  private checkedAt: string | null = null;
  private error: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<BudgetState> | null = null;
  private again = false;
  private stopped = false;
  private cached: Stored;
  private readonly now: () => number;

  constructor(private readonly options: BudgetGuardOptions) {
    this.now = options.now ?? Date.now;
    this.cached = options.settings.get(SETTINGS_KEY, stored) ?? DEFAULTS;
  }

  /** Why leasing is held, or null: read on every lease attempt, so it answers from memory. */
  holdReason(): string | null {
    return this.cached.paused ? this.cached.reason : null;
  }

  state(): BudgetState {
    const s = this.cached;
    const source = this.options.source;
    const month = monthBounds(this.now()).month;
    return {
      source: source?.kind ?? 'none',
      name: this.reading?.name ?? null,
      month,
      limitUsd: this.reading?.limitUsd ?? (source instanceof LocalBudgetSource ? source.limit() : null),
      actualUsd: this.reading?.actualUsd ?? null,
      forecastUsd: this.reading?.forecastUsd ?? null,
      basis: s.basis,
      hardStop: s.hardStop,
      paused: s.paused,
      reason: s.paused ? s.reason : null,
      resumed: s.resumed && s.resumed.month === month ? { at: s.resumed.at, by: s.resumed.by, limitUsd: s.resumed.limitUsd } : null,
      checkedAt: this.checkedAt,
      error: this.error,
      intervalSeconds: Math.round(this.options.intervalMs / 1000),
    };
  }

  /** Reads the budget now and pauses or unpauses; overlapping calls share one reading (and one more after it). */
  check(): Promise<BudgetState> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = this.readAndDecide().finally(() => {
      this.checking = null;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
    return this.checking;
  }

  /**
   * A check nobody waits for (the schedule, a run's cost just recorded): after stop it does nothing,
   * since the database may be closed by then, and a failure is logged rather than left unhandled.
   */
  nudge(): void {
    if (this.stopped) return;
    this.check().catch((error: unknown) => this.options.log?.(`budget check failed: ${(error as Error).message}`));
  }

  private async readAndDecide(): Promise<BudgetState> {
    const source = this.options.source;
    if (!source) {
      if (this.cached.paused) await this.apply(null, false, null);
      return this.state();
    }
    try {
      this.reading = await source.read();
      this.error = null;
    } catch (error) {
      // Keep the last decision: a budget we cannot read neither pauses nor resumes the queue.
      this.error = `could not read the budget: ${(error as Error).message}`;
      this.options.log?.(this.error);
      return this.state();
    } finally {
      this.checkedAt = nowIso();
    }
    const { limitUsd, actualUsd, forecastUsd } = this.reading;
    const s = this.cached;
    const month = monthBounds(this.now()).month;
    const figure = s.basis === 'forecast' ? (forecastUsd ?? actualUsd) : actualUsd;
    const reached = s.hardStop && limitUsd !== null && limitUsd > 0 && figure >= limitUsd;
    const resumedHere = s.resumed !== null && s.resumed.month === month && s.resumed.limitUsd === limitUsd;
    const pause = reached && !resumedHere;
    if (pause !== s.paused) await this.apply(null, pause, pause ? pausedReason(limitUsd!, s.basis) : null);
    return this.state();
  }

  private async apply(actor: User | null, paused: boolean, reason: string | null, resumed?: Stored['resumed']): Promise<void> {
    const reading = this.reading;
    await this.options.writes.run(() => {
      const next: Stored = { ...this.cached, paused, reason, ...(resumed !== undefined ? { resumed } : {}) };
      this.options.settings.set(SETTINGS_KEY, next);
      const name = reading?.name ?? 'budget';
      const spent = reading ? `${dollars(reading.actualUsd)} spent of ${reading.limitUsd === null ? 'no limit' : dollars(reading.limitUsd)}` : 'no reading';
      recordAudit(this.options.db, {
        actor: actor ? { id: actor.id, name: actor.name } : null,
        action: resumed ? 'budget.resume' : paused ? 'budget.pause' : 'budget.unpause',
        targetKind: 'budget',
        targetId: name,
        summary: resumed ? `resumed leasing over the budget (${spent})` : paused ? `paused leasing: ${spent}` : `leasing goes on: ${spent}`,
        detail: { limitUsd: reading?.limitUsd ?? null, actualUsd: reading?.actualUsd ?? null, forecastUsd: reading?.forecastUsd ?? null, basis: this.cached.basis },
      });
      this.cached = next;
    });
    if (!paused) this.options.onResume();
  }

  /** An admin lets leasing go on for the rest of this month at the current limit. */
  async resume(user: User): Promise<BudgetState> {
    // The resume holds at the limit it was given at; without a reading yet (a pause kept from the
    // last start) that limit would be unknown and the next reading would pause again at once.
    if (this.reading === null) await this.check();
    const month = monthBounds(this.now()).month;
    await this.apply(user, false, null, { month, limitUsd: this.reading?.limitUsd ?? null, at: nowIso(), by: user.name });
    return this.state();
  }

  async update(body: BudgetSettingsRequest, user: User): Promise<BudgetState> {
    const source = this.options.source;
    if (body.limitUsd !== undefined && !(source instanceof LocalBudgetSource)) {
      throw badInput(
        source
          ? 'body.limitUsd: this platform reads its budget from AWS Budgets; change the limit there (the app does it on the Cost page)'
          : 'body.limitUsd: this platform has no budget; set MonthlyBudgetUsd on the stack to create one',
      );
    }
    await this.options.writes.run(() => {
      if (body.limitUsd !== undefined && source instanceof LocalBudgetSource) source.setLimit(body.limitUsd);
      const next: Stored = { ...this.cached, ...(body.hardStop !== undefined ? { hardStop: body.hardStop } : {}), ...(body.basis ? { basis: body.basis } : {}) };
      this.options.settings.set(SETTINGS_KEY, next);
      recordAudit(this.options.db, {
        actor: { id: user.id, name: user.name },
        action: 'budget.update',
        targetKind: 'budget',
        targetId: this.reading?.name ?? source?.kind ?? 'budget',
        summary: `budget settings: ${JSON.stringify(body)}`,
        detail: { ...body },
      });
      this.cached = next;
    });
    return this.check();
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.nudge(), this.options.intervalMs);
    this.timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking?.catch(() => undefined);
  }
}
