import type { Sharing, Visibility } from '../../common/protocol/sharing.js';
import type { User } from '../../common/protocol/users.js';
import type { Db } from './db.js';
import { HttpError, notFound } from './http-error.js';

/** Things that have an owner and may be shared. */
export type SharedKind = 'capsule' | 'dataset';

/** What a user may do with a capsule or dataset, each level including the ones before. */
export type Grant = 'none' | 'read' | 'edit' | 'own';

const RANK: Record<Grant, number> = { none: 0, read: 1, edit: 2, own: 3 };

const TABLE: Record<SharedKind, string> = { capsule: 'capsules', dataset: 'datasets' };

/** An SQL condition (with its arguments) that keeps the rows a user may read. */
export interface SqlScope {
  sql: string;
  args: string[];
}

/** The parts of a run its access depends on. */
export interface RunOwnership {
  id: string;
  userId: string;
}

/** Whether `user` reads every capsule, dataset and run of the lab whatever its sharing. */
export function readsEverything(user: User): boolean {
  return user.role === 'admin' || user.role === 'pi' || user.role === 'worker';
}

/**
 * Who may cancel, re-run or open a terminal into a run: the person who launched it, a PI or an
 * admin. The one place this rule lives (the terminal route asks it too).
 */
export function canManageRun(user: User, run: RunOwnership): boolean {
  return user.role === 'admin' || user.role === 'pi' || user.id === run.userId;
}

/**
 * The sharing rules of capsules and datasets (roles, owner, lab visibility, collaborators). Every
 * route that reads or changes one asks here first; lists filter with `readableScope`.
 */
export class AccessPolicy {
  constructor(private readonly db: Db) {}

  sharing(kind: SharedKind, id: string): Sharing {
    const row = this.db.prepare(`SELECT owner_id, visibility FROM ${TABLE[kind]} WHERE id = ?`).get(id) as { owner_id: string; visibility: Visibility } | undefined;
    if (!row) throw notFound(`${kind} ${id}`);
    const collaborators = (this.db.prepare('SELECT user_id FROM collaborators WHERE kind = ? AND object_id = ? ORDER BY user_id').all(kind, id) as Array<{ user_id: string }>).map((r) => r.user_id);
    return { ownerId: row.owner_id, visibility: row.visibility, collaborators };
  }

  grant(user: User, kind: SharedKind, id: string): Grant {
    const s = this.sharing(kind, id);
    if (s.ownerId === user.id || user.role === 'admin') return 'own';
    if (user.role === 'worker') return 'read';
    if (s.collaborators.includes(user.id)) return 'edit';
    if (user.role === 'pi' || s.visibility === 'lab') return 'read';
    return 'none';
  }

  /** Throws 403 (naming who to ask) unless `user` has at least `needed` on the thing; 404 when it does not exist. */
  require(user: User, kind: SharedKind, id: string, needed: Exclude<Grant, 'none'>): void {
    const has = this.grant(user, kind, id);
    if (RANK[has] >= RANK[needed]) return;
    const owner = this.ownerName(kind, id);
    const what = `${kind} ${id}`;
    if (has === 'none') throw new HttpError('forbidden', `${what} is private to ${owner}; ask them to share it with you or with the lab`);
    if (needed === 'edit') throw new HttpError('forbidden', `${what} is shared with you to read only; ask ${owner} to add you as a collaborator to change it`);
    throw new HttpError('forbidden', `only ${owner} (its owner) or an admin may change who can see ${what}`);
  }

  /** The rows of `kind` (table alias `alias`) that `user` may read, for a list's WHERE. */
  readableScope(user: User, kind: SharedKind, alias: string): SqlScope {
    if (readsEverything(user)) return { sql: '1 = 1', args: [] };
    return {
      sql: `(${alias}.owner_id = ? OR ${alias}.visibility = 'lab' OR EXISTS (SELECT 1 FROM collaborators c WHERE c.kind = '${kind}' AND c.object_id = ${alias}.id AND c.user_id = ?))`,
      args: [user.id, user.id],
    };
  }

  /** The runs `user` may read: their own, and every run of a capsule they may read. */
  runScope(user: User, alias: string): SqlScope {
    if (readsEverything(user)) return { sql: '1 = 1', args: [] };
    const capsules = this.readableScope(user, 'capsule', 'cap');
    return { sql: `(${alias}.user_id = ? OR ${alias}.capsule_id IN (SELECT cap.id FROM capsules cap WHERE ${capsules.sql}))`, args: [user.id, ...capsules.args] };
  }

  /** Throws 403 unless `user` may read `run` (theirs, or of a capsule they may read). */
  requireRunRead(user: User, run: RunOwnership & { capsuleId: string }): void {
    if (run.userId === user.id || readsEverything(user)) return;
    if (this.grant(user, 'capsule', run.capsuleId) !== 'none') return;
    throw new HttpError('forbidden', `run ${run.id} is of capsule ${run.capsuleId}, which is private to ${this.ownerName('capsule', run.capsuleId)}; ask them to share it with you`);
  }

  /** Throws 403 unless `user` may cancel, re-run or open a terminal into `run` (see canManageRun). */
  requireRunManage(user: User, run: RunOwnership & { capsuleId: string }, action: string): void {
    this.requireRunRead(user, run);
    if (canManageRun(user, run)) return;
    throw new HttpError('forbidden', `only ${this.userName(run.userId)} (who launched run ${run.id}), a PI or an admin may ${action} it`);
  }

  private ownerName(kind: SharedKind, id: string): string {
    return this.userName(this.sharing(kind, id).ownerId);
  }

  private userName(id: string): string {
    const row = this.db.prepare('SELECT name FROM users WHERE id = ?').get(id) as { name: string } | undefined;
    return row ? `"${row.name}"` : 'its owner';
  }
}
