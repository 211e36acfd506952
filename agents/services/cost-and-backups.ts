import { join } from 'node:path';
import type { User } from '../../common/protocol/users.js';
import type { RestoreResult } from '../../common/protocol/backups.js';
import { BackupScheduler } from './backup.js';
import type { BackupCopies } from './backup-copies.js';
import { BudgetGuard } from './budget-guard.js';
import { LocalBudgetSource, type BudgetSource } from './budget-source.js';
import type { CapsulesStore } from './capsules-store.js';
import { restoreFromBackup } from './database-restore.js';
import type { Db, WriteQueue } from './db.js';
import type { LeaseManager } from './lease-manager.js';
import type { Notifier } from './notifier.js';
import { PlatformSettings } from './platform-settings.js';
import type { PriceList } from './price-list.js';
import { RestoreDrills } from './restore-drill.js';
import { RunPricing } from './run-pricing.js';
import type { RunsStore } from './runs-store.js';

export interface CostAndBackupsOptions {
  /** Region the workers run in: their instance types are priced there (AWS). */
  region?: string;
  priceList?: PriceList;
  /** Undefined: a local budget over the runs' own costs; null: no budget at all. */
  budgetSource?: BudgetSource | null;
  budgetIntervalMs?: number;
  backup?: { intervalMs?: number; keep?: number; copies?: BackupCopies } | false;
  /** Restore drills on a schedule (default daily); null: on demand only. */
  drillIntervalMs?: number | null;
  log?: (message: string) => void;
}

export interface CostAndBackups {
  settings: PlatformSettings;
  pricing: RunPricing;
  budget: BudgetGuard;
  /** Set when the budget is the agent's own (the sandbox): its limit is kept here. */
  localBudget: LocalBudgetSource | null;
  backups: BackupScheduler;
  drills: RestoreDrills;
  restore(name: string, user: User): Promise<RestoreResult>;
  start(): void;
  stop(): Promise<void>;
}

interface Core {
  db: Db;
  writes: WriteQueue;
  dataDir: string;
  runs: RunsStore;
  leases: LeaseManager;
  capsules: CapsulesStore;
  queues: Notifier;
}

/**
 * Prices leases, holds them while the budget is spent, and keeps the database's own backups and
 * restore drills. Built with the other stores (no timers); start() begins the schedules.
 */
export function buildCostAndBackups(core: Core, options: CostAndBackupsOptions): CostAndBackups {
  const log = options.log ?? ((message: string) => void process.stderr.write(`benchtop services: ${message}\n`));
  const settings = new PlatformSettings(core.db);
  const pricing = new RunPricing(settings, { ...(options.region ? { region: options.region } : {}), ...(options.priceList ? { priceList: options.priceList } : {}), log });
  const localBudget = options.budgetSource === undefined ? new LocalBudgetSource(core.db, settings) : null;
  const source = options.budgetSource === undefined ? localBudget : options.budgetSource;
  // Every queued run may go now: wake as many waiting workers as there are runs for them.
  const wake = () => {
    const counts = core.runs.queueCounts();
    for (const queue of ['cpu', 'gpu'] as const) {
      const n = Math.min(counts[queue].queued, core.queues.waiterCount(queue));
      for (let i = 0; i < n; i += 1) core.queues.notifyOne(queue);
    }
  };
  const budget = new BudgetGuard({
    db: core.db,
    writes: core.writes,
    settings,
    source,
    intervalMs: options.budgetIntervalMs ?? (source?.kind === 'aws-budgets' ? 15 * 60_000 : 60_000),
    onResume: wake,
    log,
  });
  const hold = () => budget.holdReason();
  core.leases.setHold(hold);
  core.runs.setHold(hold);
  core.leases.setPricing(pricing);
  // The agent's own budget knows a run's cost as soon as it is recorded: check then, not a minute later.
  // A run that cost nothing cannot move the spend, and each check sums the month's runs: skip those.
  if (source?.kind === 'local') {
    core.leases.onFinished(({ run }) => {
      if (run.costUsd) budget.nudge();
    });
    // A completion's next lease is taken in the completion's own transaction, before the check its
    // cost nudges can pause leasing: while a hard stop is set, a run that cost something hands
    // nothing on, and its worker's own lease request comes after that check (one run past the limit otherwise).
    core.leases.setHandOnHold(({ costUsd }) => {
      if (!costUsd) return false;
      const { hardStop, limitUsd } = budget.state();
      return hardStop && limitUsd !== null && limitUsd > 0;
    });
  }
  const backupOptions = options.backup === false ? {} : (options.backup ?? {});
  const backups = new BackupScheduler(core.db, {
    dir: join(core.dataDir, 'backups'),
    intervalMs: backupOptions.intervalMs ?? 6 * 3600_000,
    keep: backupOptions.keep ?? 7,
    ...(backupOptions.copies ? { copies: backupOptions.copies } : {}),
    onError: (error) => log(`backup failed: ${String(error)}`),
  });
  const scratchDir = join(core.dataDir, 'restore-scratch');
  const drills = new RestoreDrills({
    db: core.db,
    writes: core.writes,
    backups,
    scratchDir,
    intervalMs: options.drillIntervalMs === undefined ? 24 * 3600_000 : options.drillIntervalMs,
    log,
  });
  return {
    settings,
    pricing,
    budget,
    localBudget,
    backups,
    drills,
    restore: (name, user) =>
      restoreFromBackup(
        {
          db: core.db,
          writes: core.writes,
          backups,
          scratchDir,
          afterRestore: async () => {
            await core.capsules.reconcile();
            // A backup from before sealing brings its secrets back in plain text.
            const sealing = await core.runs.sealPlainSecrets();
            if (sealing.problem) log(sealing.problem);
            wake();
          },
        },
        name,
        user,
      ),
    start() {
      budget.start();
      drills.start();
      if (options.backup !== false) backups.start();
    },
    async stop() {
      await budget.stop();
      await drills.stop();
      await backups.stop();
    },
  };
}
