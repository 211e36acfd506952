import { z } from 'zod';
import { id, page, role, timestamp } from './common.js';

/**
 * A person or machine that holds tokens. `lastSeenAt`: the latest request made with any of its
 * tokens (recorded at most once a minute per token), null before the first.
 */
export const user = z.object({ id, name: z.string(), role, createdAt: timestamp, lastSeenAt: timestamp.nullable().default(null) });
export type User = z.infer<typeof user>;

/** POST /api/v1/users (admin). */
export const createUserRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role,
});
export type CreateUserRequest = z.infer<typeof createUserRequest>;

/** GET /api/v1/users (admin). */
export const userList = page(user);

/** A token's metadata; the secret itself is never stored, only its sha256. */
export const tokenInfo = z.object({
  id,
  userId: id,
  label: z.string(),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable().default(null),
});
export type TokenInfo = z.infer<typeof tokenInfo>;

/** POST /api/v1/users/:id/tokens (admin). */
export const createTokenRequest = z.strictObject({ label: z.string().trim().max(100).default('') });

/** Answer of token creation: the only time the secret is shown. */
export const createdToken = tokenInfo.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof createdToken>;

/** GET /api/v1/users/:id/tokens (admin). */
export const tokenList = z.object({ items: z.array(tokenInfo) });

/** DELETE /api/v1/tokens/:id (admin) answers the revoked token. */
export const revokedToken = tokenInfo;

/** GET /api/v1/me: who the bearer token belongs to. */
export const meResponse = z.object({ user, tokenId: id });
export type MeResponse = z.infer<typeof meResponse>;

/** PUT /api/v1/users/:id/role (admin): the user's new role. The last admin cannot lose it (409). */
export const setRoleRequest = z.strictObject({ role: role.exclude(['worker']) });

/** DELETE /api/v1/users/:id/tokens (admin): every token of the user revoked at once. */
export const revokedTokens = z.object({ items: z.array(tokenInfo) });

/** GET /api/v1/people (admin, pi, researcher): the lab's people, to pick collaborators from. */
export const person = user.pick({ id: true, name: true, role: true });
export const peopleList = z.object({ items: z.array(person) });
