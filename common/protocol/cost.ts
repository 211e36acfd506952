import { z } from 'zod';
import { timestamp } from './common.js';

// Cost and budget of the platform as its services agent knows them: each finished run's cost
// (price × duration × its share of the worker), roll-ups of those per month, and the budget's
// hard stop that pauses leasing.

/** How the worker's instance is bought; spot is billed below the on-demand price the run records. */
export const purchaseOption = z.enum(['on-demand', 'spot']);
export type PurchaseOption = z.infer<typeof purchaseOption>;

/** What a worker shares among its runs (its --slots); a run's share of the price is what it asks of this. */
export const workerSlotsReport = z.strictObject({
  cpus: z.number().min(0.1).max(1024),
  memoryMb: z.number().int().min(64).max(16_777_216),
  gpus: z.number().int().min(0).max(64),
});
export type WorkerSlotsReport = z.infer<typeof workerSlotsReport>;

/** A calendar month in UTC, "2026-12". */
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like "2026-12"');

export const rollupDimension = z.enum(['researcher', 'capsule', 'queue']);
export type RollupDimension = z.infer<typeof rollupDimension>;

/** GET /api/v1/cost/rollup?month=&by= — finished runs of that month (by finish time, UTC). */
export const costRollupQuery = z.strictObject({ month, by: rollupDimension.default('researcher') });

export const costRollupItem = z.object({
  /** The user id, capsule id or queue name. */
  key: z.string(),
  /** The user's or capsule's name (the key when it is gone). */
  label: z.string(),
  runs: z.number().int(),
  /** Worker hours the runs held (start, or lease when never started, to finish). */
  hours: z.number(),
  costUsd: z.number(),
});
export type CostRollupItem = z.infer<typeof costRollupItem>;

export const costRollup = z.object({
  month,
  by: rollupDimension,
  currency: z.literal('USD'),
  totalUsd: z.number(),
  runs: z.number().int(),
  /** Runs whose worker gave no price (their cost is unknown, not zero). */
  unpricedRuns: z.number().int(),
  items: z.array(costRollupItem),
  /** Where the prices came from, with how many runs each priced. */
  sources: z.array(z.object({ source: z.string(), runs: z.number().int() })),
});
export type CostRollup = z.infer<typeof costRollup>;

/** GET/PUT /api/v1/cost/local-rate: the hourly rate of workers that report no instance type (the local sandbox). */
export const localRate = z.object({ hourlyUsd: z.number().min(0).max(10_000).nullable() });
export const localRateRequest = z.strictObject({ hourlyUsd: z.number().min(0).max(10_000).nullable() });

export const budgetBasis = z.enum(['actual', 'forecast']);
export type BudgetBasis = z.infer<typeof budgetBasis>;

/** GET /api/v1/budget: the month's budget as the agent last read it, and whether leasing is paused. */
export const budgetState = z.object({
  /** aws-budgets: AWS Budgets with the agent's own role; local: a limit kept by the agent over its runs' costs; none: no budget. */
  source: z.enum(['aws-budgets', 'local', 'none']),
  name: z.string().nullable(),
  month,
  limitUsd: z.number().nullable(),
  actualUsd: z.number().nullable(),
  forecastUsd: z.number().nullable(),
  /** The figure the hard stop compares with the limit. */
  basis: budgetBasis,
  hardStop: z.boolean(),
  paused: z.boolean(),
  /** The waiting reason queued runs show while paused. */
  reason: z.string().nullable(),
  /** Set when an admin resumed for this month at this limit. */
  resumed: z.object({ at: timestamp, by: z.string(), limitUsd: z.number().nullable() }).nullable(),
  checkedAt: timestamp.nullable(),
  /** Why the last reading failed (the previous state is kept). */
  error: z.string().nullable(),
  intervalSeconds: z.number(),
});
export type BudgetState = z.infer<typeof budgetState>;

/** PUT /api/v1/budget (admin): `limitUsd` sets the local limit only; an AWS budget is edited in AWS (the app does it). */
export const budgetSettingsRequest = z.strictObject({
  hardStop: z.boolean().optional(),
  basis: budgetBasis.optional(),
  limitUsd: z.number().min(0).max(10_000_000).nullable().optional(),
});
export type BudgetSettingsRequest = z.input<typeof budgetSettingsRequest>;

/** One line per roll-up item, for a spreadsheet. */
export function rollupCsv(rollup: CostRollup): string {
  const cell = (value: string | number) => {
    const text = String(value);
    // A leading = + - @ would be run as a formula by spreadsheets (CSV injection).
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = ['month', rollup.by, 'name', 'runs', 'hours', 'cost_usd'];
  const rows = rollup.items.map((i) => [rollup.month, i.key, i.label, i.runs, i.hours.toFixed(4), i.costUsd.toFixed(6)]);
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
