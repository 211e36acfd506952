import { z } from 'zod';
import { id, timestamp } from './common.js';

/**
 * One entry of the append-only audit trail: who (null: the platform itself, e.g. a scheduled
 * check) did what to which thing. `action` is `<area>.<verb>`, e.g. "capsule.commit", "run.cancel",
 * "user.role", "budget.pause".
 */
export const auditEntry = z.object({
  seq: z.number().int(),
  at: timestamp,
  actorId: id.nullable(),
  actorName: z.string(),
  action: z.string(),
  targetKind: z.string(),
  targetId: z.string(),
  summary: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntry>;

const filterText = z.string().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, ".", "_", ":" and "-" only');

/** GET /api/v1/audit (admin, pi): newest first; `cursor` is the `next` of the previous page. */
export const auditQuery = z.strictObject({
  action: filterText.optional(),
  targetKind: filterText.optional(),
  targetId: filterText.optional(),
  actorId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(20).optional(),
});
export type AuditQuery = z.input<typeof auditQuery>;

export const auditList = z.object({ items: z.array(auditEntry), next: z.string().optional() });
export type AuditList = z.infer<typeof auditList>;

/** GET /api/v1/me/notifications?after=SEQ: trail entries meant for the caller (a capsule of theirs diverged), oldest first. */
export const notificationsQuery = z.strictObject({ after: z.coerce.number().int().min(0).default(0) });
export const NOTIFYING_ACTIONS = ['capsule.diverged', 'capsule.failed'] as const;
