import type { CostRollup, RollupDimension } from '../../common/protocol/cost.js';
import type { Db } from './db.js';

const GROUP: Record<RollupDimension, { key: string; label: string; join: string }> = {
  researcher: { key: 'r.user_id', label: 'coalesce(u.name, r.user_id)', join: 'LEFT JOIN users u ON u.id = r.user_id' },
  capsule: { key: 'r.capsule_id', label: 'coalesce(c.name, r.capsule_id)', join: 'LEFT JOIN capsules c ON c.id = r.capsule_id' },
  queue: { key: 'r.queue', label: 'r.queue', join: '' },
};

// Hours a run held its worker: from its start (or its lease, when it never started) to its end.
const HOURS = '(julianday(r.finished_at) - julianday(coalesce(r.started_at, r.leased_at, r.finished_at))) * 24';

/**
 * The finished runs of a UTC month, summed per researcher, capsule or queue; dearest first. With
 * `onlyUserId`, only that person's runs: a researcher sees their own spending, not the names and
 * costs of other people's (possibly private) capsules.
 */
export function costRollup(db: Db, month: string, by: RollupDimension, onlyUserId?: string): CostRollup {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(year, mon - 1, 1)).toISOString();
  const to = new Date(Date.UTC(year, mon, 1)).toISOString();
  const g = GROUP[by];
  const mine = onlyUserId === undefined ? '' : ' AND r.user_id = ?';
  const args = onlyUserId === undefined ? [from, to] : [from, to, onlyUserId];
  const items = db
    .prepare(
      `SELECT ${g.key} AS key, ${g.label} AS label, count(*) AS runs, coalesce(sum(${HOURS}), 0) AS hours, coalesce(sum(r.cost_usd), 0) AS cost
       FROM runs r ${g.join} WHERE r.finished_at >= ? AND r.finished_at < ?${mine} GROUP BY ${g.key} ORDER BY cost DESC, runs DESC, key`,
    )
    .all(...args) as Array<{ key: string; label: string; runs: number; hours: number; cost: number }>;
  const sources = db
    .prepare(`SELECT r.cost_source AS source, count(*) AS runs FROM runs r WHERE r.finished_at >= ? AND r.finished_at < ?${mine} AND r.cost_source IS NOT NULL GROUP BY r.cost_source ORDER BY runs DESC`)
    .all(...args) as Array<{ source: string; runs: number }>;
  const unpriced = db.prepare(`SELECT count(*) AS c FROM runs r WHERE r.finished_at >= ? AND r.finished_at < ?${mine} AND r.cost_usd IS NULL`).get(...args) as { c: number };
  const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
  return {
    month,
    by,
    currency: 'USD',
    totalUsd: round(items.reduce((sum, i) => sum + i.cost, 0)),
    runs: items.reduce((sum, i) => sum + i.runs, 0),
    unpricedRuns: unpriced.c,
    items: items.map((i) => ({ key: i.key, label: i.label, runs: i.runs, hours: Math.round(i.hours * 1e6) / 1e6, costUsd: round(i.cost) })),
    sources,
  };
}
