import { NOTIFYING_ACTIONS, type AuditEntry } from '../../common/protocol/audit.js';
import type { User } from '../../common/protocol/users.js';
import type { Db } from './db.js';
import { badInput } from './http-error.js';
import { nowIso } from './ids.js';

/** What one audit entry says; `actor` null is the platform itself (a scheduled check, a budget stop). */
export interface AuditRecord {
  actor: Pick<User, 'id' | 'name'> | null;
  action: string;
  targetKind: string;
  targetId: string;
  summary: string;
  detail?: Record<string, unknown>;
}

interface AuditRow {
  n: number; at: string; actor_id: string | null; actor_name: string; action: string;
  target_kind: string; target_id: string; summary: string; detail: string;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  seq: r.n,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  targetKind: r.target_kind,
  targetId: r.target_id,
  summary: r.summary,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});

/**
 * Appends one entry to the audit trail. Synchronous on purpose: call it inside the same
 * `writes.run(...)` as the change it records, so the change and its entry commit together or not
 * at all. The table's triggers refuse any UPDATE or DELETE.
 */
export function recordAudit(db: Db, record: AuditRecord): void {
  db.prepare('INSERT INTO audit (at, actor_id, actor_name, action, target_kind, target_id, summary, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    nowIso(),
    record.actor?.id ?? null,
    record.actor?.name ?? 'platform',
    record.action,
    record.targetKind,
    record.targetId,
    record.summary,
    JSON.stringify(record.detail ?? {}),
  );
}

export interface AuditFilter {
  action?: string;
  targetKind?: string;
  targetId?: string;
  actorId?: string;
  limit: number;
  cursor?: string;
}

/** Entries after `after` whose `detail.notify` names `userId` (a check of their capsule diverged or failed), oldest first, at most 100. */
export function notificationsFor(db: Db, userId: string, after: number): AuditEntry[] {
  const rows = db
    .prepare(`SELECT * FROM audit WHERE n > ? AND action IN (${NOTIFYING_ACTIONS.map(() => '?').join(', ')}) AND json_extract(detail, '$.notify') = ? ORDER BY n LIMIT 100`)
    .all(after, ...NOTIFYING_ACTIONS, userId) as AuditRow[];
  return rows.map(toEntry);
}

/** A page of the trail, newest first; `next` is the row number to continue below. */
export function listAudit(db: Db, filter: AuditFilter): { items: AuditEntry[]; next?: string } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  for (const [column, value] of [['action', filter.action], ['target_kind', filter.targetKind], ['target_id', filter.targetId], ['actor_id', filter.actorId]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (filter.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(filter.cursor)) throw badInput('query.cursor: not a cursor this server gave out; use the "next" of a previous page');
    where.push('n < ?');
    args.push(Number(filter.cursor));
  }
  const rows = db.prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n DESC LIMIT ?`).all(...args, filter.limit + 1) as AuditRow[];
  const items = rows.slice(0, filter.limit);
  return { items: items.map(toEntry), ...(rows.length > filter.limit ? { next: String(items.at(-1)!.n) } : {}) };
}
