import { describe, expect, it } from 'vitest';
import { BudgetGuard, type BudgetGuardOptions } from './budget-guard.js';
import type { BudgetReading, BudgetSource } from './budget-source.js';
import type { Db, WriteQueue } from './db.js';
import type { PlatformSettings } from './platform-settings.js';

const over: BudgetReading = { name: 'benchtop-lab', limitUsd: 10, actualUsd: 12, forecastUsd: 12 };

/** A guard whose database is gone: every write fails as better-sqlite3 does once it is closed. */
function guardOverClosedDatabase(source: BudgetSource, log: string[]): BudgetGuard {
  const closed = () => {
    throw new TypeError('The database connection is not open');
  };
  const options: BudgetGuardOptions = {
    db: {} as Db,
    writes: { run: async () => closed() } as unknown as WriteQueue,
    settings: { get: () => null, set: closed } as unknown as PlatformSettings,
    source,
    intervalMs: 3600_000,
    onResume: () => undefined,
    log: (m) => log.push(m),
  };
  return new BudgetGuard(options);
}

describe('the budget guard when nobody waits for its checks', () => {
  it('logs a check that fails (a run finished as the agent closed) instead of leaving the rejection unhandled', async () => {
    const log: string[] = [];
    const guard = guardOverClosedDatabase({ kind: 'aws-budgets', read: async () => over }, log);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      guard.nudge();
      for (let i = 0; i < 2000 && log.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(log).toEqual(['budget check failed: The database connection is not open']);
    expect(unhandled).toEqual([]);
  });

  it('reads nothing once stopped', async () => {
    let reads = 0;
    const guard = guardOverClosedDatabase({ kind: 'aws-budgets', read: async () => (reads++, { ...over, actualUsd: 1 }) }, []);
    guard.start();
    await guard.stop();
    const before = reads;
    guard.nudge();
    await new Promise((r) => setTimeout(r, 10));
    expect(reads).toBe(before);
  });
});

describe('resuming a pause kept from the last start', () => {
  it('holds at the limit in force when the admin resumes before the first reading', async () => {
    const kept = new Map<string, unknown>([['budget', { hardStop: true, basis: 'actual', paused: true, reason: 'paused', resumed: null }]]);
    const guard = new BudgetGuard({
      db: { prepare: () => ({ run: () => undefined }) } as unknown as Db,
      writes: { run: async (fn: () => unknown) => fn() } as unknown as WriteQueue,
      settings: { get: (key: string) => kept.get(key) ?? null, set: (key: string, value: unknown) => kept.set(key, value) } as unknown as PlatformSettings,
      source: { kind: 'aws-budgets', read: async () => over },
      intervalMs: 3600_000,
      onResume: () => undefined,
    });
    expect(guard.holdReason()).toBe('paused');
    await guard.resume({ id: 'usr_admin', name: 'Ada', role: 'admin', createdAt: '2026-12-01T00:00:00.000Z', lastSeenAt: null });
    expect((await guard.check()).paused).toBe(false);
    expect(guard.state().resumed).toMatchObject({ by: 'Ada', limitUsd: 10 });
  });
});
