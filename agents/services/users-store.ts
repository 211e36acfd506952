import { randomBytes } from 'node:crypto';
import type { Role } from '../../common/protocol/common.js';
import type { CreatedToken, TokenInfo, User } from '../../common/protocol/users.js';
import { recordAudit } from './audit-log.js';
import type { Db, WriteQueue } from './db.js';
import { badInput, conflict, notFound } from './http-error.js';
import { newId, nowIso, sha256 } from './ids.js';

/** Who a request is made by, once its bearer token is known. */
export interface Principal {
  user: User;
  tokenId: string;
}

interface UserRow { id: string; name: string; role: Role; created_at: string; n: number; last_seen?: string | null }
interface TokenRow { id: string; user_id: string; label: string; created_at: string; revoked_at: string | null; last_used_at: string | null }

const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, lastSeenAt: r.last_seen ?? null });
const toToken = (r: TokenRow): TokenInfo => ({
  id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
});

const USER_WITH_LAST_SEEN = 'SELECT u.*, (SELECT max(t.last_used_at) FROM tokens t WHERE t.user_id = u.id) AS last_seen FROM users u';

/** How often a token's last use is written: often enough for "last seen", rarely enough to cost nothing per request. */
const TOUCH_EVERY_MS = 60_000;

/** Who did something, for the audit trail; null when the platform's own set-up did it (first start, the host CLI). */
type Actor = Pick<User, 'id' | 'name'> | null;

/**
 * Users and bearer tokens. A token is 32 random bytes shown once; only its sha256 is stored, so a
 * copy of the database does not let anyone in. Lookups are cached in memory (this process is the
 * only writer) and the cache is dropped on every revocation.
 */
export class UsersStore {
  private readonly cache = new Map<string, Principal | null>();
  private readonly touched = new Map<string, number>();

  /** `writes`: where last-use times are written; without it (the host CLI) they are not kept. */
  constructor(
    private readonly db: Db,
    private readonly writes?: WriteQueue,
  ) {}

  createUser(name: string, role: Role, actor: Actor = null): User {
    const user: User = { id: newId('usr'), name, role, createdAt: nowIso(), lastSeenAt: null };
    this.db.prepare('INSERT INTO users (id, name, role, created_at) VALUES (?, ?, ?, ?)').run(user.id, name, role, user.createdAt);
    if (actor) recordAudit(this.db, { actor, action: 'user.create', targetKind: 'user', targetId: user.id, summary: `added ${role} "${name}"` });
    return user;
  }

  getUser(id: string): User | undefined {
    const row = this.db.prepare(`${USER_WITH_LAST_SEEN} WHERE u.id = ?`).get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  /**
   * Gives a person another role. Workers are machines and keep theirs; the last admin cannot stop
   * being one (nobody could manage users any more). Cached principals carry the role, so the cache
   * is dropped.
   */
  setRole(id: string, role: Exclude<Role, 'worker'>, actor: Actor): User {
    const user = this.getUser(id);
    if (!user) throw notFound(`user ${id}`);
    if (user.role === 'worker') throw badInput(`params.id: ${id} is the worker user "${user.name}"; a worker token cannot become a person's`);
    if (user.role === 'admin' && role !== 'admin') {
      const admins = (this.db.prepare("SELECT count(*) AS c FROM users WHERE role = 'admin'").get() as { c: number }).c;
      if (admins <= 1) throw conflict(`"${user.name}" is the only admin; make someone else admin first`);
    }
    if (user.role !== role) {
      this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
      recordAudit(this.db, { actor, action: 'user.role', targetKind: 'user', targetId: id, summary: `changed the role of "${user.name}" from ${user.role} to ${role}`, detail: { from: user.role, to: role } });
      this.cache.clear();
    }
    return this.getUser(id)!;
  }

  /** Every user but workers, for picking collaborators: names and roles only. */
  listPeople(): Array<Pick<User, 'id' | 'name' | 'role'>> {
    return (this.db.prepare("SELECT id, name, role FROM users WHERE role != 'worker' ORDER BY name, n").all() as Array<Pick<User, 'id' | 'name' | 'role'>>);
  }

  findUserByName(name: string): User | undefined {
    const row = this.db.prepare(`${USER_WITH_LAST_SEEN} WHERE u.name = ? ORDER BY u.n LIMIT 1`).get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  listUsers(limit: number, after: number): { items: User[]; next?: string } {
    const rows = this.db.prepare(`${USER_WITH_LAST_SEEN} WHERE u.n > ? ORDER BY u.n LIMIT ?`).all(after, limit + 1) as UserRow[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    return { items: items.map(toUser), ...(more ? { next: String(items.at(-1)!.n) } : {}) };
  }

  createToken(userId: string, label: string, actor: Actor = null): CreatedToken {
    const user = this.getUser(userId);
    if (!user) throw notFound(`user ${userId}`);
    const token = `bt_${randomBytes(32).toString('base64url')}`;
    const info: TokenInfo = { id: newId('tok'), userId, label, createdAt: nowIso(), revokedAt: null, lastUsedAt: null };
    this.db
      .prepare('INSERT INTO tokens (id, user_id, hash, label, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(info.id, userId, sha256(token), label, info.createdAt);
    if (actor) recordAudit(this.db, { actor, action: 'token.create', targetKind: 'user', targetId: userId, summary: `made a token for "${user.name}"${label ? ` (${label})` : ''}`, detail: { tokenId: info.id } });
    return { ...info, token };
  }

  listTokens(userId: string): TokenInfo[] {
    if (!this.getUser(userId)) throw notFound(`user ${userId}`);
    return (this.db.prepare('SELECT * FROM tokens WHERE user_id = ? ORDER BY n').all(userId) as TokenRow[]).map(toToken);
  }

  revokeToken(tokenId: string, actor: Actor = null): TokenInfo {
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(tokenId) as TokenRow | undefined;
    if (!row) throw notFound(`token ${tokenId}`);
    if (!row.revoked_at) {
      this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ?').run(nowIso(), tokenId);
      if (actor) recordAudit(this.db, { actor, action: 'token.revoke', targetKind: 'user', targetId: row.user_id, summary: `revoked token ${tokenId}${row.label ? ` (${row.label})` : ''}`, detail: { tokenId } });
    }
    this.cache.clear();
    return toToken(this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(tokenId) as TokenRow);
  }

  /** Revokes every live token of a user (they are locked out at once); answers all their tokens. */
  revokeUserTokens(userId: string, actor: Actor): TokenInfo[] {
    for (const t of this.listTokens(userId)) if (!t.revokedAt) this.revokeToken(t.id, actor);
    return this.listTokens(userId);
  }

  /** The principal of a bearer token, or null when it is unknown or revoked. */
  authenticate(token: string): Principal | null {
    const hash = sha256(token);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return cached;
    const row = this.db
      .prepare(
        `SELECT t.id AS token_id, u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.revoked_at IS NULL`,
      )
      .get(hash) as (UserRow & { token_id: string }) | undefined;
    const principal = row ? { user: toUser(row), tokenId: row.token_id } : null;
    // Unknown tokens are not cached: a fuzzer must not be able to grow this map without bound.
    if (principal) this.cache.set(hash, principal);
    if (principal) this.touch(principal.tokenId);
    return principal;
  }

  /** Records a token's use for "last seen", at most once a minute per token, off the request's path. */
  private touch(tokenId: string): void {
    if (!this.writes) return;
    const now = Date.now();
    if (now - (this.touched.get(tokenId) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(tokenId, now);
    const at = new Date(now).toISOString();
    this.writes.run(() => this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, tokenId)).catch(() => this.touched.delete(tokenId));
  }
}
