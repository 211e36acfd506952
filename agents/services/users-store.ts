import { randomBytes } from 'node:crypto';
import type { Role } from '../../common/protocol/common.js';
import type { CreatedToken, TokenInfo, User } from '../../common/protocol/users.js';
import type { Db } from './db.js';
import { notFound } from './http-error.js';
import { newId, nowIso, sha256 } from './ids.js';

/** Who a request is made by, once its bearer token is known. */
export interface Principal {
  user: User;
  tokenId: string;
}

interface UserRow { id: string; name: string; role: Role; created_at: string; n: number }
interface TokenRow { id: string; user_id: string; label: string; created_at: string; revoked_at: string | null }

const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at });
const toToken = (r: TokenRow): TokenInfo => ({ id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at });

/**
 * Users and bearer tokens. A token is 32 random bytes shown once; only its sha256 is stored, so a
 * copy of the database does not let anyone in. Lookups are cached in memory (this process is the
 * only writer) and the cache is dropped on every revocation.
 */
export class UsersStore {
  private readonly cache = new Map<string, Principal | null>();

  constructor(private readonly db: Db) {}

  createUser(name: string, role: Role): User {
    const user: User = { id: newId('usr'), name, role, createdAt: nowIso() };
    this.db.prepare('INSERT INTO users (id, name, role, created_at) VALUES (?, ?, ?, ?)').run(user.id, name, role, user.createdAt);
    return user;
  }

  getUser(id: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  findUserByName(name: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ? ORDER BY n LIMIT 1').get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  listUsers(limit: number, after: number): { items: User[]; next?: string } {
    const rows = this.db.prepare('SELECT * FROM users WHERE n > ? ORDER BY n LIMIT ?').all(after, limit + 1) as UserRow[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    return { items: items.map(toUser), ...(more ? { next: String(items.at(-1)!.n) } : {}) };
  }

  createToken(userId: string, label: string): CreatedToken {
    if (!this.getUser(userId)) throw notFound(`user ${userId}`);
    const token = `bt_${randomBytes(32).toString('base64url')}`;
    const info: TokenInfo = { id: newId('tok'), userId, label, createdAt: nowIso(), revokedAt: null };
    this.db
      .prepare('INSERT INTO tokens (id, user_id, hash, label, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(info.id, userId, sha256(token), label, info.createdAt);
    return { ...info, token };
  }

  listTokens(userId: string): TokenInfo[] {
    if (!this.getUser(userId)) throw notFound(`user ${userId}`);
    return (this.db.prepare('SELECT * FROM tokens WHERE user_id = ? ORDER BY n').all(userId) as TokenRow[]).map(toToken);
  }

  revokeToken(tokenId: string): TokenInfo {
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(tokenId) as TokenRow | undefined;
    if (!row) throw notFound(`token ${tokenId}`);
    if (!row.revoked_at) this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ?').run(nowIso(), tokenId);
    this.cache.clear();
    return toToken(this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(tokenId) as TokenRow);
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
    return principal;
  }
}
