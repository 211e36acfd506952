import { z } from 'zod';
import type { Db } from './db.js';
import type { PlatformSettings } from './platform-settings.js';

/** The month's budget as one reading: the limit, what was spent, and what is forecast for the month. */
export interface BudgetReading {
  name: string;
  limitUsd: number | null;
  actualUsd: number;
  forecastUsd: number | null;
}

export interface BudgetSource {
  readonly kind: 'aws-budgets' | 'local';
  read(): Promise<BudgetReading>;
}

/** The first instant of the UTC month `at` is in, and of the next one. */
export function monthBounds(at: number): { start: number; end: number; month: string } {
  const d = new Date(at);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, end, month: new Date(start).toISOString().slice(0, 7) };
}

const LOCAL_LIMIT_KEY = 'local-budget-limit';
const localLimit = z.number().min(0).nullable();

/**
 * A budget without AWS (the local sandbox): a limit kept by the agent, against the cost its own
 * runs recorded this month; the forecast carries the month's pace to its end.
 */
export class LocalBudgetSource implements BudgetSource {
  readonly kind = 'local' as const;

  constructor(
    private readonly db: Db,
    private readonly settings: PlatformSettings,
    private readonly now: () => number = Date.now,
  ) {}

  limit(): number | null {
    return this.settings.get(LOCAL_LIMIT_KEY, localLimit);
  }

  /** Call inside a write. */
  setLimit(limitUsd: number | null): void {
    this.settings.set(LOCAL_LIMIT_KEY, limitUsd);
  }

  async read(): Promise<BudgetReading> {
    const now = this.now();
    const { start, end } = monthBounds(now);
    const row = this.db
      .prepare('SELECT coalesce(sum(cost_usd), 0) AS spent FROM runs WHERE finished_at >= ? AND finished_at < ?')
      .get(new Date(start).toISOString(), new Date(end).toISOString()) as { spent: number };
    const elapsed = Math.max(1, now - start);
    const forecast = (row.spent * (end - start)) / elapsed;
    return { name: 'local', limitUsd: this.limit(), actualUsd: row.spent, forecastUsd: Math.round(forecast * 1e6) / 1e6 };
  }
}
