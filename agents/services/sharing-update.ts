import type { SharingRequest } from '../../common/protocol/sharing.js';
import type { User } from '../../common/protocol/users.js';
import type { SharedKind } from './access-policy.js';
import { recordAudit } from './audit-log.js';
import type { Db } from './db.js';
import { badInput } from './http-error.js';

const TABLE: Record<SharedKind, string> = { capsule: 'capsules', dataset: 'datasets' };

function requirePerson(db: Db, id: string, field: string): void {
  const row = db.prepare('SELECT role FROM users WHERE id = ?').get(id) as { role: string } | undefined;
  if (!row) throw badInput(`${field}: no user ${id}; pick people from GET /api/v1/people`);
  if (row.role === 'worker') throw badInput(`${field}: ${id} is a worker, not a person; workers read what they run already`);
}

/**
 * Applies a sharing change (the caller checked the actor may make it) and records it in the audit
 * trail. Run inside one `writes.run`: the change and its entry commit together.
 */
export function updateSharing(db: Db, kind: SharedKind, id: string, change: SharingRequest, actor: User): void {
  change.collaborators?.forEach((c, i) => requirePerson(db, c, `body.collaborators.${i}`));
  if (change.ownerId !== undefined) requirePerson(db, change.ownerId, 'body.ownerId');
  if (change.visibility !== undefined) db.prepare(`UPDATE ${TABLE[kind]} SET visibility = ? WHERE id = ?`).run(change.visibility, id);
  if (change.ownerId !== undefined) db.prepare(`UPDATE ${TABLE[kind]} SET owner_id = ? WHERE id = ?`).run(change.ownerId, id);
  if (change.collaborators !== undefined) {
    db.prepare('DELETE FROM collaborators WHERE kind = ? AND object_id = ?').run(kind, id);
    const add = db.prepare('INSERT OR IGNORE INTO collaborators (kind, object_id, user_id) VALUES (?, ?, ?)');
    for (const c of change.collaborators) add.run(kind, id, c);
  }
  const parts = [
    change.visibility !== undefined ? `visibility ${change.visibility}` : '',
    change.ownerId !== undefined ? `owner ${change.ownerId}` : '',
    change.collaborators !== undefined ? `collaborators [${change.collaborators.join(', ')}]` : '',
  ].filter(Boolean);
  recordAudit(db, { actor, action: `${kind}.sharing`, targetKind: kind, targetId: id, summary: `changed sharing: ${parts.join('; ') || 'nothing'}`, detail: { ...change } });
}
